"""Readiness: is the database reachable? The answer is truthful and says nothing else.

Readiness is the database only (issue 10 item 7): writes go to the outbox, so a broker outage
must not take the APIs out of rotation. Broker health is the consumer's and relay's business
(`shared.messaging.broker_health`, reported on /metrics).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging.broker_health import PROBE_TIMEOUT


async def check_database(engine: AsyncEngine) -> tuple[bool, str | None]:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        return True, None
    except Exception as exc:
        return False, type(exc).__name__
