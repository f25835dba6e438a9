"""The funding migrations upgrade, downgrade and upgrade again, and match the tables in code."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

import funding.adapters.program_tables
import funding.adapters.reference_tables  # noqa: F401 - registers the reference tables
from funding.adapters.tables import metadata
from imet.provision import drop_database, provision
from imet.services import definition
from shared.db.engine import asyncpg_sqlalchemy_url
from shared.db.migrations import downgrade, upgrade
from tests.helpers.infra import WorkerDatabase


def _tables(url: str) -> set[str]:
    async def fetch() -> set[str]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'funding'")
            return {r["tablename"] for r in rows}
        finally:
            await conn.close()

    return asyncio.run(fetch())


def _only_funding(name: str | None, type_: str, parent: object) -> bool:
    if type_ == "schema":
        return name == "funding"
    return not (type_ == "table" and name == "alembic_version")


def _differences(url: str) -> list[Any]:
    """What autogenerate would change: nothing, when the migrations build the tables in code."""

    async def compare() -> list[Any]:
        # `public` as the default schema, so `funding` is reflected by name like the metadata's.
        engine = create_async_engine(
            asyncpg_sqlalchemy_url(url), connect_args={"server_settings": {"search_path": "public"}}
        )
        opts = {"include_schemas": True, "include_name": _only_funding, "compare_type": True}

        def run(conn: Any) -> list[Any]:
            return list(compare_metadata(MigrationContext.configure(conn, opts=opts), metadata))

        async with engine.connect() as conn:
            diff = await conn.run_sync(run)
        await engine.dispose()
        return diff

    return asyncio.run(compare())


async def test_migrations_downgrade_to_the_platform_and_upgrade_again(
    platform_ready: WorkerDatabase,
) -> None:
    name = f"imet_funding_stairs_{uuid.uuid4().hex[:8]}"
    dbs = await provision(
        platform_ready.admin_url, name, role_prefix=f"{name}_", services=("funding",)
    )
    url = dbs["funding"].url
    migrations = definition("funding").migrations_dir
    try:
        await asyncio.to_thread(upgrade, migrations, url)
        at_head = await asyncio.to_thread(_tables, url)
        drift = await asyncio.to_thread(_differences, url)
        await asyncio.to_thread(downgrade, migrations, url, "funding_0001")
        at_platform = await asyncio.to_thread(_tables, url)
        await asyncio.to_thread(upgrade, migrations, url)
        again = await asyncio.to_thread(_tables, url)
    finally:
        await drop_database(platform_ready.admin_url, name, [db.role for db in dbs.values()])

    assert {"appropriation", "allocation", "obligation", "ledger_entry", "penalty_rule"} <= at_head
    assert at_platform == {
        "outbox",
        "inbox",
        "consumer_offset",
        "idempotency_key",
        "audit_log",
        "alembic_version",
    }
    assert again == at_head
    assert drift == []
