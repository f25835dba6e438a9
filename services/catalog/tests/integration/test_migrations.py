"""The catalog's migrations upgrade and downgrade cleanly, as the service's own role, and the
schema they build is the one `catalog.adapters.tables` describes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from catalog.adapters.tables import metadata
from catalog.bootstrap import definition
from imet.provision import drop_database, provision
from shared.db.engine import asyncpg_sqlalchemy_url
from shared.db.migrations import downgrade, upgrade
from tests.helpers.infra import WorkerDatabase, admin_url

CATALOG_TABLES = {
    "institution",
    "course",
    "tuition_rate",
    "course_class",
    "seat",
    "nomination_release",
    "read_generation",
}
PLATFORM_TABLES = {
    "outbox",
    "inbox",
    "consumer_offset",
    "idempotency_key",
    "audit_log",
    "alembic_version",
}


async def _inspect(url: str) -> tuple[set[str], list[Any]]:
    # With `public` as the default schema, `catalog` is compared by name, as the metadata names it.
    engine = create_async_engine(
        asyncpg_sqlalchemy_url(url),
        poolclass=pool.NullPool,
        connect_args={"server_settings": {"search_path": "public"}},
    )
    try:
        async with engine.connect() as conn:
            names = await conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'catalog'")
            )
            tables = {r[0] for r in names}

            def diff(sync_conn: Any) -> list[Any]:
                context = MigrationContext.configure(
                    sync_conn,
                    opts={
                        "compare_type": True,
                        "include_schemas": True,
                        "version_table_schema": "catalog",
                        "include_name": lambda name, kind, _: kind != "schema" or name == "catalog",
                    },
                )
                return list(compare_metadata(context, metadata))

            differences = await conn.run_sync(diff) if "course" in tables else []
            return tables, differences
    finally:
        await engine.dispose()


@pytest.fixture
def scratch_database(platform_ready: WorkerDatabase) -> Any:
    admin, name = admin_url(), f"imet_catalog_mig_{uuid.uuid4().hex[:8]}"
    databases = asyncio.run(provision(admin, name, role_prefix=f"{name}_", services=("catalog",)))
    yield databases["catalog"].url
    asyncio.run(drop_database(admin, name, [databases["catalog"].role]))


def test_every_revision_upgrades_and_downgrades_and_matches_the_table_definitions(
    scratch_database: str,
) -> None:
    migrations = definition.migrations_dir

    upgrade(migrations, scratch_database)
    at_head, differences = asyncio.run(_inspect(scratch_database))
    downgrade(migrations, scratch_database, "catalog_0001")
    platform_only, _ = asyncio.run(_inspect(scratch_database))
    downgrade(migrations, scratch_database, "base")
    empty, _ = asyncio.run(_inspect(scratch_database))
    upgrade(migrations, scratch_database)
    again, _ = asyncio.run(_inspect(scratch_database))

    assert at_head == CATALOG_TABLES | PLATFORM_TABLES
    assert differences == []
    assert platform_only == PLATFORM_TABLES
    assert empty == {"alembic_version"}
    assert again == at_head
