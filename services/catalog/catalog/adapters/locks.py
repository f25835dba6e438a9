"""Advisory locks that outlive a transaction: one runner at a time for a periodic job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine


@asynccontextmanager
async def single_runner(engine: AsyncEngine, key: int) -> AsyncIterator[bool]:
    """Hold the session-level advisory lock `key` for the block if nobody else holds it; yields
    whether it was acquired (False: another instance is running, skip the work).

    The lock lives on its own connection, committed at once: the session lock outlives that
    transaction, so no transaction stays idle while the job works in its own ones."""
    async with engine.connect() as guard:
        acquired = bool((await guard.execute(select(func.pg_try_advisory_lock(key)))).scalar())
        await guard.commit()
        try:
            yield acquired
        finally:
            if acquired:
                await guard.execute(select(func.pg_advisory_unlock(key)))
                await guard.commit()
