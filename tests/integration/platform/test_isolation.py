"""Each service's database role can use only its own schema (SPEC section 4)."""

from __future__ import annotations

import asyncpg
import pytest

from tests.helpers.infra import WorkerDatabase


@pytest.mark.parametrize(
    ("reader", "owner"),
    [
        ("nomination", "funding"),
        ("funding", "nomination"),
        ("vetting", "catalog"),
        ("catalog", "vetting"),
    ],
)
async def test_a_service_role_cannot_read_another_services_schema(
    platform_ready: WorkerDatabase, reader: str, owner: str
) -> None:
    conn = await asyncpg.connect(platform_ready.services[reader].url)

    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch(f"SELECT * FROM {owner}.outbox LIMIT 1")  # noqa: S608
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(f"CREATE TABLE {owner}.intruder (id int)")
        own = await conn.fetchval("SELECT count(*) FROM outbox")
        search_path = await conn.fetchval("SHOW search_path")
    finally:
        await conn.close()

    assert own >= 0
    assert search_path.strip('"') == reader


async def test_the_audit_log_refuses_updates_and_deletes_even_from_its_owner(
    platform_ready: WorkerDatabase,
) -> None:
    conn = await asyncpg.connect(platform_ready.services["probe"].url)
    try:
        await conn.execute(
            "INSERT INTO audit_log (actor, action, entity_type, entity_id) "
            "VALUES ('t', 'a', 'e', '1')"
        )

        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE audit_log SET actor = 'someone else'")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("DELETE FROM audit_log")
    finally:
        await conn.close()
