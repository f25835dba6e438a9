"""A key another attempt claimed: in flight it is a 409, stale it is taken over (unless it was
another request's), and expired keys are purged."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.http.idempotency import purge_expired
from shared.http.problems import PROBLEM_BASE
from tests.integration.http.idempotency.support import (
    KEYS,
    THINGS,
    effects,
    pending,
    stored,
    unique,
)


async def test_a_key_in_flight_is_a_409_in_progress_problem(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]], subject: str,
) -> None:  # fmt: skip
    thing, key = unique("t"), unique("k")
    body = json.dumps({"key": thing, "value": 1}).encode()
    await pending(sessions, subject, key, body, timedelta(seconds=5))

    response = await client.post(
        THINGS, content=body, headers=headers(key) | {"Content-Type": "application/json"}
    )

    assert response.status_code == 409
    assert response.json()["type"] == PROBLEM_BASE + "idempotency-in-progress"
    assert response.headers["retry-after"] == "1"
    assert await effects(sessions, thing) == 0


async def test_a_stale_pending_key_is_taken_over_and_the_request_runs(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]], subject: str,
) -> None:  # fmt: skip
    thing, key = unique("t"), unique("k")
    body = json.dumps({"key": thing, "value": 1}).encode()
    await pending(sessions, subject, key, body, timedelta(minutes=2))

    response = await client.post(
        THINGS, content=body, headers=headers(key) | {"Content-Type": "application/json"}
    )

    assert response.status_code == 201
    assert await effects(sessions, thing) == 1
    [row] = await stored(sessions, subject)
    assert (row.state, row.status_code) == ("done", 201)


async def test_a_stale_pending_key_of_another_request_is_still_a_reuse(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]], subject: str,
) -> None:  # fmt: skip
    thing, key = unique("t"), unique("k")
    await pending(sessions, subject, key, b"another body", timedelta(minutes=2))

    response = await client.post(THINGS, json={"key": thing, "value": 1}, headers=headers(key))

    assert response.status_code == 422
    assert await effects(sessions, thing) == 0


async def test_purge_expired_deletes_only_keys_older_than_the_retention(
    sessions: async_sessionmaker[AsyncSession], subject: str
) -> None:
    await pending(sessions, subject, "old", b"", timedelta(hours=25))
    await pending(sessions, subject, "recent", b"", timedelta(hours=23))

    purged = await purge_expired(sessions, KEYS, timedelta(hours=24))

    assert purged >= 1
    assert [row.key for row in await stored(sessions, subject)] == ["recent"]
