"""Pooled connections without a ping on every checkout (ADR 0120): a dead connection is noticed.

`create_engine` pings a connection on checkout only when it sat unused for longer than
`ping_after_idle_seconds`. Either way a connection whose server backend went away (PostgreSQL
restarted, an administrator terminated it) never wedges the pool: an idle one is replaced on
checkout, a busy one fails its statement as a disconnect (503 at the HTTP edge) and the pool
drops every older connection, so the next statement runs on a fresh one.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import create_engine


def _engine(runtime: Any, ping_after_idle_seconds: float) -> AsyncEngine:
    return create_engine(
        runtime.settings.database_url.get_secret_value(),
        schema=runtime.settings.db_schema,
        application_name="imet-pool-liveness-test",
        pool_size=1,
        max_overflow=0,
        ping_after_idle_seconds=ping_after_idle_seconds,
    )


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(runtime: Any, pid: int) -> None:
    conn = await asyncpg.connect(runtime.dsn)
    try:  # the same role may terminate its own backends
        assert await conn.fetchval("SELECT pg_terminate_backend($1, 5000)", pid) is True
    finally:
        await conn.close()


async def test_an_idle_pooled_connection_that_died_is_replaced_on_checkout(
    make_runtime: Any,
) -> None:
    runtime = await make_runtime("probe")
    engine = _engine(runtime, ping_after_idle_seconds=0.0)  # every checkout counts as idle
    try:
        first = await _backend_pid(engine)
        await _terminate(runtime, first)

        second = await _backend_pid(engine)  # no error: the ping noticed, a new connection

        assert second != first
    finally:
        await engine.dispose()


async def test_a_recently_used_connection_that_died_fails_once_as_a_disconnect_then_recovers(
    make_runtime: Any,
) -> None:
    runtime = await make_runtime("probe")
    engine = _engine(runtime, ping_after_idle_seconds=3600.0)  # never pinged
    try:
        first = await _backend_pid(engine)
        await _terminate(runtime, first)

        with pytest.raises(DBAPIError) as failed:
            await _backend_pid(engine)
        second = await _backend_pid(engine)

        assert failed.value.connection_invalidated
        assert isinstance(failed.value, InterfaceError | OperationalError)  # 503 at the edge
        assert second != first
    finally:
        await engine.dispose()
