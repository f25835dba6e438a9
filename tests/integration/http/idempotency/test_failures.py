"""What a failure leaves: a crash frees the key, a server error is not stored, and an answer is
recorded before the client receives any of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.http.idempotency import IdempotencyMiddleware
from tests.helpers.fixtures import RuntimeFactory
from tests.integration.http.idempotency.support import KEYS, unique


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
