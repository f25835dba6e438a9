"""Under contention a write waits its turn (bounded) instead of failing in the database."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shared.auth.principal import system_actor
from shared.http.app import create_service_app
from tests.helpers.fixtures import auth
from tests.helpers.waiting import eventually


async def _probe_client(make_runtime: Any) -> tuple[Any, httpx.AsyncClient]:
    runtime = await make_runtime("probe")
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_service_app(runtime)), base_url="http://t"
    )
    return runtime, client


async def _published(runtime: Any, key: str) -> int:
    """Outbox rows the probe's write staged for thing `key` (its only effect)."""
    outbox = runtime.definition.tables.outbox
    async with runtime.sessions() as s:
        rows = await s.execute(select(outbox.c.id).where(outbox.c.payload["key"].astext == key))
        return len(rows.all())


async def test_a_write_that_finds_every_slot_taken_waits_its_turn_and_then_succeeds(
    make_runtime: Any, token: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROBE_DB_MAX_TRANSACTIONS", "1")
    runtime, client = await _probe_client(make_runtime)
    key = f"turn-{uuid.uuid4().hex[:8]}"
    holding = runtime.uow(system_actor("test"))
    await holding.__aenter__()  # the only slot is taken

    request = asyncio.ensure_future(
        client.post("/api/v1/probe/things", json={"key": key, "value": 1},
                    headers=auth(token("admin")))
    )  # fmt: skip
    queued = await eventually(_async(lambda: _waiting(runtime)), lambda n: n >= 1 or request.done())
    waited = queued >= 1 and not request.done()
    await holding.__aexit__(None, None, None)
    response = await request
    await client.aclose()

    assert waited
    assert response.status_code == 201
    assert await _published(runtime, key) == 1


async def test_a_write_that_waited_the_bounded_time_is_refused_busy_and_changes_nothing(
    make_runtime: Any, token: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROBE_DB_MAX_TRANSACTIONS", "1")
    monkeypatch.setenv("PROBE_DB_QUEUE_TIMEOUT_SECONDS", "0.2")
    runtime, client = await _probe_client(make_runtime)
    key = f"busy-{uuid.uuid4().hex[:8]}"

    async with runtime.uow(system_actor("test")):  # the only slot stays taken meanwhile
        response = await client.post(
            "/api/v1/probe/things", json={"key": key, "value": 1}, headers=auth(token("admin"))
        )
    await client.aclose()

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/busy")
    assert int(response.headers["retry-after"]) >= 1
    assert await _published(runtime, key) == 0


def _async(fn: Any) -> Any:
    async def probe() -> Any:
        return fn()

    return probe


def _waiting(runtime: Any) -> float:
    from shared.db.admission import WAITING

    return WAITING.labels(runtime.definition.name)._value.get()  # type: ignore[no-any-return]
