"""Every service's migrations walk up and down (the stairway), in a scratch database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from imet.provision import ServiceDatabase, drop_database, provision
from imet.services import DOMAIN_SERVICES, definition
from shared.db.migrations import alembic_config, downgrade, upgrade
from tests.helpers.infra import WorkerDatabase


@pytest.fixture(scope="module")
def scratch(worker_db: WorkerDatabase) -> Iterator[dict[str, ServiceDatabase]]:
    name = f"{worker_db.database}_stairs"
    dbs = asyncio.run(provision(worker_db.admin_url, name, role_prefix=f"{name}_"))
    try:
        yield dbs
    finally:
        asyncio.run(drop_database(worker_db.admin_url, name, [d.role for d in dbs.values()]))


async def _tables(url: str, schema: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema
        )
        return {r["table_name"] for r in rows}
    finally:
        await conn.close()


@pytest.mark.parametrize("service", DOMAIN_SERVICES)
def test_every_migration_upgrades_downgrades_and_upgrades_again(
    service: str, scratch: dict[str, ServiceDatabase]
) -> None:
    d, db = definition(service), scratch[service]
    revisions = list(
        reversed(
            list(
                ScriptDirectory.from_config(
                    alembic_config(d.migrations_dir, db.url)
                ).walk_revisions()
            )
        )
    )

    for revision in revisions:
        upgrade(d.migrations_dir, db.url, revision.revision)
        downgrade(d.migrations_dir, db.url, revision.down_revision or "base")  # type: ignore[arg-type]
        upgrade(d.migrations_dir, db.url, revision.revision)
    at_head = asyncio.run(_tables(db.url, d.schema))
    downgrade(d.migrations_dir, db.url, "base")
    at_base = asyncio.run(_tables(db.url, d.schema))
    upgrade(d.migrations_dir, db.url, "head")

    assert {
        "outbox",
        "inbox",
        "consumer_offset",
        "idempotency_key",
        "audit_log",
        "alembic_version",
    } <= at_head
    assert at_base <= {"alembic_version"}
    assert asyncio.run(_tables(db.url, d.schema)) == at_head


@pytest.mark.parametrize("service", DOMAIN_SERVICES)
def test_the_schema_matches_the_models_after_migrating(
    service: str, scratch: dict[str, ServiceDatabase]
) -> None:
    d, db = definition(service), scratch[service]
    upgrade(d.migrations_dir, db.url, "head")

    diff = asyncio.run(_compare(db.url, d.metadata, d.schema))

    assert diff == [], f"models and migrations disagree for {service}: {diff}"


async def _compare(url: str, metadata: MetaData, schema: str) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    from shared.db.engine import asyncpg_sqlalchemy_url

    # Reflect with the service schema off the search_path: PostgreSQL then reports foreign keys
    # with their schema, as the models have them (schema-qualified tables).
    engine = create_async_engine(
        asyncpg_sqlalchemy_url(url), connect_args={"server_settings": {"search_path": "public"}}
    )
    try:
        async with engine.connect() as conn:

            def _diff(sync_conn: Connection) -> list[object]:
                ctx = MigrationContext.configure(
                    sync_conn,
                    opts={
                        "version_table_schema": schema,
                        "include_schemas": True,
                        "compare_type": True,
                        "include_name": lambda name, type_, parent: (
                            name == schema
                            if type_ == "schema"
                            else not (type_ == "table" and name == "alembic_version")
                        ),
                    },
                )
                return [d for d in compare_metadata(ctx, metadata) if not _ignorable(d)]

            return await conn.run_sync(_diff)
    finally:
        await engine.dispose()


def _ignorable(diff: object) -> bool:
    """Server defaults render differently in the catalog than in the models: compared elsewhere."""
    return (
        isinstance(diff, list)
        and bool(diff)
        and isinstance(diff[0], tuple)
        and diff[0][0] == "modify_default"
    )
