"""The `gateway` schema's client registrations, and the use cases on them.

Invariants:
- Only the argon2id hash of a secret is stored; the secret itself leaves `create` once.
- Every registration change (created, revoked) writes an audit row (who, when, before/after)
  in the SAME transaction as the change; a secret or hash never appears in one.
- `authenticate` answers None for an unknown client, a revoked one and a wrong secret alike,
  after the same amount of hashing work, so callers cannot tell which it was. The reason is
  returned separately for the gateway's own log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.clients.hashing import SecretHasher
from gateway.clients.model import Client, ClientSpec, new_client_id, new_secret
from shared.db.engine import create_engine
from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables
from shared.observability import request_id_var

SCHEMA = "gateway"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
metadata = make_metadata(SCHEMA)
tables = platform_tables(metadata)
client_table = Table(
    "client",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("roles", JSONB, nullable=False),
    Column("country", String(3)),
    Column("scopes", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("status", String(10), nullable=False, server_default="active"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", String(200), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", String(200)),
    CheckConstraint("status IN ('active', 'revoked')", name="status"),
    CheckConstraint("(status = 'revoked') = (revoked_at IS NOT NULL)", name="revoked_at"),
    CheckConstraint("country IS NOT NULL OR NOT roles @> '[\"sco\"]'::jsonb", name="sco_country"),
)
_PUBLIC_COLUMNS = [c for c in client_table.c if c.name != "secret_hash"]


class UnknownClient(KeyError):
    pass


class ClientStore:
    """Use cases on client registrations; `actor` names the operator who made a change."""

    def __init__(self, engine: AsyncEngine, hasher: SecretHasher | None = None) -> None:
        self.engine = engine
        self.hasher = hasher or SecretHasher()

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 5) -> ClientStore:
        engine = create_engine(
            url, schema=SCHEMA, application_name="imet-gateway", pool_size=pool_size,
            max_overflow=pool_size,
        )  # fmt: skip
        return cls(engine)

    async def aclose(self) -> None:
        await self.engine.dispose()

    async def create(self, spec: ClientSpec, *, actor: str) -> tuple[Client, str]:
        """Register a client; returns it with its secret, which is not retrievable later."""
        secret = new_secret()
        secret_hash = await self.hasher.hash(secret)
        values = {
            "client_id": new_client_id(), "name": spec.name, "secret_hash": secret_hash,
            "roles": list(spec.roles), "country": spec.country, "scopes": list(spec.scopes),
            "status": "active", "created_at": datetime.now(UTC), "created_by": actor,
        }  # fmt: skip
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(insert(client_table).values(values).returning(*_PUBLIC_COLUMNS))
            ).one()
            client = _client(row._mapping)
            await _audit(conn, actor, "client.created", client.client_id, None, client.public())
        return client, secret

    async def list(self, *, include_revoked: bool = True) -> list[Client]:
        query = select(*_PUBLIC_COLUMNS).order_by(client_table.c.created_at)
        if not include_revoked:
            query = query.where(client_table.c.status == "active")
        async with self.engine.connect() as conn:
            return [_client(row._mapping) for row in await conn.execute(query)]

    async def get(self, client_id: str) -> Client | None:
        query = select(*_PUBLIC_COLUMNS).where(client_table.c.client_id == client_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        return _client(row._mapping) if row is not None else None

    async def revoke(self, client_id: str, *, actor: str) -> Client:
        """Revoke a client: it gets no new token, and every gateway refuses the tokens it holds
        once its revocation list is refreshed (seconds). Revoking a revoked client changes
        nothing."""
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(*_PUBLIC_COLUMNS)
                    .where(client_table.c.client_id == client_id)
                    .with_for_update()
                )
            ).one_or_none()
            if row is None:
                raise UnknownClient(client_id)
            before = _client(row._mapping)
            if not before.active:
                return before
            changed = (
                await conn.execute(
                    update(client_table)
                    .where(client_table.c.client_id == client_id)
                    .values(status="revoked", revoked_at=datetime.now(UTC), revoked_by=actor)
                    .returning(*_PUBLIC_COLUMNS)
                )
            ).one()
            after = _client(changed._mapping)
            await _audit(conn, actor, "client.revoked", client_id, before.public(), after.public())
        return after

    async def revoked_ids(self) -> frozenset[str]:
        """Every revoked client id (the gateway's revocation list; revocation is final and
        rare, so the whole set is small)."""
        query = select(client_table.c.client_id).where(client_table.c.status == "revoked")
        async with self.engine.connect() as conn:
            return frozenset((await conn.scalars(query)).all())

    async def authenticate(self, client_id: str, secret: str) -> tuple[Client | None, str]:
        """(client, "ok") when the secret is right and the client active; else (None, reason)."""
        query = select(client_table).where(client_table.c.client_id == client_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        stored = row._mapping["secret_hash"] if row is not None else None
        matches = await self.hasher.verify(stored, secret)
        if row is None:
            return None, "unknown_client"
        if not matches:
            return None, "wrong_secret"
        client = _client(row._mapping)
        if not client.active:
            return None, "revoked"
        if stored is not None and self.hasher.needs_rehash(stored):
            await self._rehash(client_id, secret)
        return client, "ok"

    async def _rehash(self, client_id: str, secret: str) -> None:
        secret_hash = await self.hasher.hash(secret)
        async with self.engine.begin() as conn:
            await conn.execute(
                update(client_table)
                .where(client_table.c.client_id == client_id)
                .values(secret_hash=secret_hash)
            )


def _client(row: Any) -> Client:
    return Client(
        client_id=row["client_id"], name=row["name"], roles=tuple(row["roles"]),
        country=row["country"], scopes=tuple(row["scopes"]), status=row["status"],
        created_at=row["created_at"], created_by=row["created_by"],
        revoked_at=row["revoked_at"], revoked_by=row["revoked_by"],
    )  # fmt: skip


async def _audit(
    conn: AsyncConnection,
    actor: str,
    action: str,
    client_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    await conn.execute(
        insert(tables.audit_log).values(
            actor=actor, action=action, entity_type="client", entity_id=client_id,
            before=before, after=after, request_id=request_id_var.get(),
        )
    )  # fmt: skip


async def record_operation(
    engine: AsyncEngine,
    *,
    actor: str,
    roles: list[str],
    action: str,
    entity_type: str,
    entity_ids: list[str],
    after: dict[str, Any],
) -> None:
    """Audit rows of an operator's action that is not on a client (e.g. `dlq.replayed`), one
    per entity, in one transaction, in the gateway schema's append-only `audit_log`."""
    if not entity_ids:
        return
    async with engine.begin() as conn:
        await conn.execute(
            insert(tables.audit_log),
            [
                {"actor": actor, "actor_roles": roles, "action": action,
                 "entity_type": entity_type, "entity_id": entity_id, "before": None,
                 "after": after, "request_id": request_id_var.get()}
                for entity_id in entity_ids
            ],
        )  # fmt: skip
