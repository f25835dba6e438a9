"""What the idempotency tests read and arrange: tokens, unique names, the probe's effects, the
stored keys, and a key another attempt claimed."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import ensure_dev_keys
from shared.http.idempotency import request_fingerprint
from shared.settings import PlatformSettings
from tests.platform_probe.service import tables

THINGS = "/api/v1/probe/things"
KEYS = tables.idempotency_key


def token_for(subject: str) -> str:
    """A bearer token for `subject` (the fixture's dev tokens share one subject per role)."""
    platform = PlatformSettings()
    key = ensure_dev_keys(Path(os.environ["IMET_TEST_KEY_DIR"])).current
    return TokenIssuer(key, platform.auth_issuer, platform.auth_audience).issue(subject, ["admin"])


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def effects(sessions: async_sessionmaker[AsyncSession], thing: str) -> int:
    """Outbox rows the probe wrote for `thing`: one per request that really ran."""
    async with sessions() as session:
        query = (
            select(func.count())
            .select_from(tables.outbox)
            .where(tables.outbox.c.aggregateid == thing)
        )
        return (await session.execute(query)).scalar_one()


async def stored(sessions: async_sessionmaker[AsyncSession], subject: str) -> list[Any]:
    async with sessions() as session:
        return list((await session.execute(select(KEYS).where(KEYS.c.principal == subject))).all())


async def pending(
    sessions: async_sessionmaker[AsyncSession], subject: str, key: str, body: bytes, age: timedelta
) -> None:
    """A key some other attempt claimed `age` ago and has not finished."""
    async with sessions() as session, session.begin():
        await session.execute(
            insert(KEYS).values(
                principal=subject, key=key, method="POST", path=THINGS, state="pending",
                request_hash=request_fingerprint("POST", THINGS.encode(), body),
                created_at=func.now() - age,
            )
        )  # fmt: skip
