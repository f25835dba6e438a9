"""Create the database, one schema and one login role per service, with nothing shared.

Each service role owns its schema, has `search_path` set to it and holds no privilege on any
other schema, so a service cannot read another's tables even by mistake (SPEC section 4).
Runs with an administrator URL (the embedded server's superuser, or `DATABASE_URL`).
"""

from __future__ import annotations

import contextlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import asyncpg
from sqlalchemy.engine import make_url

SERVICES = ("catalog", "nomination", "vetting", "funding", "reporting")
# The gateway's own schema (client registrations, SPEC section 2). Provisioned like a service's
# (own schema, own role) but it is not a service: callers that want it pass `WITH_GATEWAY`.
GATEWAY = "gateway"
WITH_GATEWAY = (*SERVICES, GATEWAY)
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_LOCK_ROLES = 7_204_117  # advisory lock key serialising role creation across concurrent runs


@dataclass(frozen=True)
class ServiceDatabase:
    service: str
    schema: str
    role: str
    password: str
    url: str


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"unsafe SQL identifier: {name!r}")
    return name


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def service_url(admin_url: str, database: str, role: str, password: str) -> str:
    base = make_url(admin_url)
    host = base.host or "127.0.0.1"
    port = base.port or 5432
    return f"postgresql://{role}:{quote(password, safe='')}@{host}:{port}/{database}"


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_database(admin_url: str, database: str) -> None:
    conn = await asyncpg.connect(_dsn(with_database(admin_url, "postgres")))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # a concurrent creator won
                await conn.execute(f'CREATE DATABASE "{_ident(database)}"')
    finally:
        await conn.close()


async def drop_database(admin_url: str, database: str, roles: list[str]) -> None:
    conn = await asyncpg.connect(_dsn(with_database(admin_url, "postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{_ident(database)}" WITH (FORCE)')
        for role in roles:
            await conn.execute(f'DROP ROLE IF EXISTS "{_ident(role)}"')
    finally:
        await conn.close()


async def provision(
    admin_url: str,
    database: str,
    *,
    role_prefix: str = "imet_",
    services: tuple[str, ...] = SERVICES,
    passwords: dict[str, str] | None = None,
) -> dict[str, ServiceDatabase]:
    """Idempotent: create what is missing, (re)set passwords, tighten grants."""
    await create_database(admin_url, database)
    conn = await asyncpg.connect(_dsn(with_database(admin_url, database)))
    result: dict[str, ServiceDatabase] = {}
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_ROLES)
        db = _ident(database)
        await conn.execute(f'REVOKE ALL ON DATABASE "{db}" FROM PUBLIC')
        await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for service in services:
            schema = _ident(service)
            role = _ident(f"{role_prefix}{service}")
            password = (passwords or {}).get(service) or secrets.token_urlsafe(18)
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            if not exists:
                await conn.execute(
                    f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'
                )
            # Passwords cannot be bind parameters in utility statements: quote as a literal.
            literal = await conn.fetchval("SELECT quote_literal($1)", password)
            await conn.execute(f'ALTER ROLE "{role}" WITH LOGIN PASSWORD {literal}')
            await conn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{db}" TO "{role}"')
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}" AUTHORIZATION "{role}"')
            await conn.execute(f'ALTER SCHEMA "{schema}" OWNER TO "{role}"')
            await conn.execute(
                f'ALTER ROLE "{role}" IN DATABASE "{db}" SET search_path = "{schema}"'
            )
            result[service] = ServiceDatabase(
                service=service,
                schema=schema,
                role=role,
                password=password,
                url=service_url(admin_url, database, role, password),
            )
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_ROLES)
    finally:
        await conn.close()
    return result
