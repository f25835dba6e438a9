"""Idempotency-Key against real PostgreSQL, through the probe service's app."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import ensure_dev_keys
from shared.http.idempotency import IdempotencyMiddleware, purge_expired, request_fingerprint
from shared.http.problems import PROBLEM_BASE
from shared.settings import PlatformSettings
from tests.helpers.fixtures import RuntimeFactory, auth
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


@pytest.fixture
async def sessions(make_runtime: RuntimeFactory) -> async_sessionmaker[AsyncSession]:
    return (await make_runtime("probe")).sessions


@pytest.fixture
async def client(
    service_client: Callable[[str], Awaitable[httpx.AsyncClient]],
) -> httpx.AsyncClient:
    return await service_client("probe")


@pytest.fixture
def subject() -> str:
    return unique("idem-user")


@pytest.fixture
def headers(subject: str) -> Callable[[str], dict[str, str]]:
    token = token_for(subject)
    return lambda key: auth(token) | {"Idempotency-Key": key}


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


async def test_a_retry_returns_the_first_answer_and_has_one_effect(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]],
) -> None:
    thing, key = unique("t"), unique("k")

    first = await client.post(THINGS, json={"key": thing, "value": 1}, headers=headers(key))
    retry = await client.post(THINGS, json={"key": thing, "value": 1}, headers=headers(key))

    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    assert retry.headers["content-type"] == first.headers["content-type"]
    assert retry.headers["x-request-id"] != first.headers["x-request-id"]
    assert await effects(sessions, thing) == 1


async def test_the_same_key_with_another_body_is_a_422_problem_and_no_effect(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]],
) -> None:
    thing, other, key = unique("t"), unique("t"), unique("k")
    await client.post(THINGS, json={"key": thing, "value": 1}, headers=headers(key))

    reused = await client.post(THINGS, json={"key": other, "value": 1}, headers=headers(key))

    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["type"] == PROBLEM_BASE + "idempotency-key-reused"
    assert await effects(sessions, other) == 0


async def test_concurrent_duplicates_have_exactly_one_effect(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]],
) -> None:
    thing, key = unique("t"), unique("k")

    responses = await asyncio.gather(
        *(
            client.post(THINGS, json={"key": thing, "value": 7}, headers=headers(key))
            for _ in range(10)
        )
    )

    ran = [r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    replayed = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    in_progress = [r for r in responses if r.status_code == 409]
    assert len(ran) == 1
    assert len(ran) + len(replayed) + len(in_progress) == 10
    assert all(r.content == ran[0].content for r in replayed)
    assert all(r.json()["type"] == PROBLEM_BASE + "idempotency-in-progress" for r in in_progress)
    assert all(r.headers["retry-after"] == "1" for r in in_progress)
    assert await effects(sessions, thing) == 1


async def test_a_business_rule_refusal_is_stored_and_replayed(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]], subject: str,
) -> None:  # fmt: skip
    thing, key = unique("t"), unique("k")

    first = await client.post(THINGS, json={"key": thing, "value": 13}, headers=headers(key))
    retry = await client.post(THINGS, json={"key": thing, "value": 13}, headers=headers(key))

    assert first.status_code == 409
    assert retry.status_code == 409
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["content-type"] == "application/problem+json"
    assert retry.json()["type"] == first.json()["type"] == PROBLEM_BASE + "conflict"
    [row] = await stored(sessions, subject)
    assert (row.state, row.status_code) == ("done", 409)


async def test_keys_are_scoped_per_principal(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    alice, bob = token_for(unique("alice")), token_for(unique("bob"))
    key, thing_a, thing_b = unique("k"), unique("t"), unique("t")

    by_alice = await client.post(
        THINGS, json={"key": thing_a, "value": 1}, headers=auth(alice) | {"Idempotency-Key": key}
    )
    by_bob = await client.post(
        THINGS, json={"key": thing_b, "value": 2}, headers=auth(bob) | {"Idempotency-Key": key}
    )

    assert by_alice.status_code == by_bob.status_code == 201
    assert "idempotent-replayed" not in by_bob.headers
    assert by_bob.json()["key"] == thing_b
    assert await effects(sessions, thing_a) == 1
    assert await effects(sessions, thing_b) == 1


async def test_an_invalid_key_is_a_400_problem_and_no_effect(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]],
) -> None:
    thing = unique("t")

    response = await client.post(
        THINGS, json={"key": thing, "value": 1}, headers=headers("x" * 201)
    )

    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM_BASE + "invalid-idempotency-key"
    assert await effects(sessions, thing) == 0


async def test_a_request_without_a_key_stores_nothing(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], subject: str
) -> None:
    thing = unique("t")

    response = await client.post(
        THINGS, json={"key": thing, "value": 1}, headers=auth(token_for(subject))
    )

    assert response.status_code == 201
    assert await stored(sessions, subject) == []
    assert await effects(sessions, thing) == 1


async def _pending(
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


async def test_a_key_in_flight_is_a_409_in_progress_problem(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession],
    headers: Callable[[str], dict[str, str]], subject: str,
) -> None:  # fmt: skip
    thing, key = unique("t"), unique("k")
    body = json.dumps({"key": thing, "value": 1}).encode()
    await _pending(sessions, subject, key, body, timedelta(seconds=5))

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
    await _pending(sessions, subject, key, body, timedelta(minutes=2))

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
    await _pending(sessions, subject, key, b"another body", timedelta(minutes=2))

    response = await client.post(THINGS, json={"key": thing, "value": 1}, headers=headers(key))

    assert response.status_code == 422
    assert await effects(sessions, thing) == 0


class Flaky:
    """A route that fails its first call (with `failure`) and succeeds afterwards."""

    def __init__(self, failure: str) -> None:
        self.failure = failure
        self.calls = 0

    async def handle(self, request: Request) -> JSONResponse:
        self.calls += 1
        body = (await request.body()).decode()
        if self.calls == 1 and self.failure == "raise":
            raise RuntimeError("the route crashed")
        if self.calls == 1:
            return JSONResponse({"error": "try later"}, status_code=503)
        return JSONResponse(
            {"call": self.calls, "body": body}, status_code=201, headers={"Location": "/x/1"}
        )


@pytest.fixture
async def flaky_client(
    make_runtime: RuntimeFactory, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[httpx.AsyncClient, Flaky]]:
    runtime = await make_runtime("probe")
    route = Flaky(request.param)
    app = IdempotencyMiddleware(
        Starlette(routes=[Route("/x", route.handle, methods=["POST"])]),
        sessions=runtime.sessions, table=KEYS, verifier=runtime.verifier,
    )  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c, route


@pytest.mark.parametrize("flaky_client", ["raise"], indirect=True)
async def test_a_crash_frees_the_key_so_a_retry_runs(
    flaky_client: tuple[httpx.AsyncClient, Flaky], headers: Callable[[str], dict[str, str]]
) -> None:
    client, route = flaky_client
    key = unique("k")
    with pytest.raises(RuntimeError, match="crashed"):
        await client.post("/x", content=b"payload", headers=headers(key))

    retry = await client.post("/x", content=b"payload", headers=headers(key))

    assert retry.status_code == 201
    assert retry.json() == {"call": 2, "body": "payload"}
    assert route.calls == 2


@pytest.mark.parametrize("flaky_client", ["503"], indirect=True)
async def test_a_server_error_is_not_stored_so_a_retry_runs_and_its_answer_is(
    flaky_client: tuple[httpx.AsyncClient, Flaky], headers: Callable[[str], dict[str, str]]
) -> None:
    client, route = flaky_client
    key = unique("k")

    failed = await client.post("/x", content=b"payload", headers=headers(key))
    second = await client.post("/x", content=b"payload", headers=headers(key))
    third = await client.post("/x", content=b"payload", headers=headers(key))

    assert failed.status_code == 503
    assert second.status_code == third.status_code == 201
    assert third.headers["idempotent-replayed"] == "true"
    assert third.headers["location"] == "/x/1"
    assert third.json() == second.json() == {"call": 2, "body": "payload"}
    assert route.calls == 2


async def test_purge_expired_deletes_only_keys_older_than_the_retention(
    sessions: async_sessionmaker[AsyncSession], subject: str
) -> None:
    await _pending(sessions, subject, "old", b"", timedelta(hours=25))
    await _pending(sessions, subject, "recent", b"", timedelta(hours=23))

    purged = await purge_expired(sessions, KEYS, timedelta(hours=24))

    assert purged >= 1
    assert [row.key for row in await stored(sessions, subject)] == ["recent"]


async def test_an_answer_is_recorded_before_the_client_receives_any_of_it(
    make_runtime: RuntimeFactory, subject: str, headers: Callable[[str], dict[str, str]]
) -> None:
    """Found by the fault suite: a process killed after sending its answer but before recording
    it left the key pending; the retry after `stale_after` ran again and answered differently
    from what the client had received. The state of the key when the first byte leaves decides."""
    runtime = await make_runtime("probe")

    async def created(request: Request) -> JSONResponse:
        return JSONResponse({"created": True}, status_code=201)

    app = IdempotencyMiddleware(
        Starlette(routes=[Route("/x", created, methods=["POST"])]),
        sessions=runtime.sessions, table=KEYS, verifier=runtime.verifier,
    )  # fmt: skip
    key = unique("k")
    body = b"payload"
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/x", "raw_path": b"/x", "query_string": b"", "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers(key).items()],
        "server": ("t", 80), "client": ("127.0.0.1", 1),
    }  # fmt: skip
    states_at_first_byte: list[str | None] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            async with runtime.sessions() as session:
                state = await session.scalar(
                    select(KEYS.c.state).where(KEYS.c.principal == subject, KEYS.c.key == key)
                )
            states_at_first_byte.append(state)

    await app(scope, receive, send)

    assert states_at_first_byte == ["done"]
