"""The gateway's own schema: its migrations walk up and down and match the models, and its
role is as isolated as a service's (it cannot read a service's tables, nor they its clients)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.clients.store import MIGRATIONS_DIR, SCHEMA, metadata
from imet.provision import ServiceDatabase, drop_database, provision
from shared.db.engine import asyncpg_sqlalchemy_url
from shared.db.migrations import alembic_config, downgrade, upgrade
from tests.helpers.infra import WorkerDatabase


@pytest.fixture(scope="module")
def scratch(worker_db: WorkerDatabase) -> Iterator[ServiceDatabase]:
    name = f"{worker_db.database}_gw_stairs"
    dbs = asyncio.run(provision(worker_db.admin_url, name, role_prefix=f"{name}_",
                                services=(SCHEMA,)))  # fmt: skip
    try:
        yield dbs[SCHEMA]
    finally:
        asyncio.run(drop_database(worker_db.admin_url, name, [d.role for d in dbs.values()]))


def _tables(url: str) -> set[str]:
    async def _fetch() -> set[str]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", SCHEMA
            )
            return {row["table_name"] for row in rows}
        finally:
            await conn.close()

    return asyncio.run(_fetch())


def test_every_gateway_migration_upgrades_downgrades_and_upgrades_again(
    scratch: ServiceDatabase,
) -> None:
    config = alembic_config(MIGRATIONS_DIR, scratch.url)
    revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))

    for revision in revisions:
        upgrade(MIGRATIONS_DIR, scratch.url, revision.revision)
        downgrade(MIGRATIONS_DIR, scratch.url, revision.down_revision or "base")  # type: ignore[arg-type]
        upgrade(MIGRATIONS_DIR, scratch.url, revision.revision)
    at_head = _tables(scratch.url)
    downgrade(MIGRATIONS_DIR, scratch.url, "base")
    at_base = _tables(scratch.url)
    upgrade(MIGRATIONS_DIR, scratch.url, "head")

    assert {"client", "audit_log", "alembic_version"} <= at_head
    assert at_base <= {"alembic_version"}


def test_the_gateway_schema_matches_its_models(scratch: ServiceDatabase) -> None:
    upgrade(MIGRATIONS_DIR, scratch.url, "head")

    diff = asyncio.run(_compare(scratch.url))

    assert diff == []


async def _compare(url: str) -> list[object]:
    engine = create_async_engine(
        asyncpg_sqlalchemy_url(url), connect_args={"server_settings": {"search_path": "public"}}
    )
    try:
        async with engine.connect() as conn:

            def _diff(sync_conn: Connection) -> list[object]:
                context = MigrationContext.configure(sync_conn, opts={
                    "version_table_schema": SCHEMA, "include_schemas": True, "compare_type": True,
                    "include_name": lambda name, type_, parent: (
                        name == SCHEMA if type_ == "schema"
                        else not (type_ == "table" and name == "alembic_version")
                    ),
                })  # fmt: skip
                return [
                    d for d in compare_metadata(context, metadata)
                    if not (isinstance(d, list) and d and d[0][0] == "modify_default")
                ]  # fmt: skip

            return await conn.run_sync(_diff)
    finally:
        await engine.dispose()


async def test_the_gateway_role_and_the_service_roles_cannot_read_each_other(
    worker_db: WorkerDatabase, gateway_db: str
) -> None:
    gateway = await asyncpg.connect(gateway_db)
    catalog = await asyncpg.connect(worker_db.services["catalog"].url)

    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await gateway.fetch("SELECT * FROM catalog.outbox LIMIT 1")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await catalog.fetch("SELECT * FROM gateway.client LIMIT 1")
        own = await gateway.fetchval("SELECT count(*) FROM client")
    finally:
        await gateway.close()
        await catalog.close()

    assert own >= 0
