"""The idempotency middleware's decisions that need no database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from shared.auth.principal import Principal
from shared.auth.tokens import AuthError
from shared.db.platform_tables import platform_tables
from shared.http.idempotency import IdempotencyMiddleware, request_fingerprint
from shared.http.problems import PROBLEM_BASE


class NoDatabase:
    """A session factory that fails the test if the middleware touches the database."""

    def __call__(self) -> Any:
        raise AssertionError("the database was used")


class OneTokenVerifier:
    async def averify(self, token: str) -> Principal:
        if token != "good":
            raise AuthError("bad_signature")
        return Principal(subject="someone")


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"body": (await request.body()).decode()}, status_code=201)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = IdempotencyMiddleware(
        Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])]),
        sessions=NoDatabase(),  # type: ignore[arg-type]
        table=platform_tables(MetaData(schema="unit")).idempotency_key,
        verifier=OneTokenVerifier(),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as c:
        yield c


def test_the_fingerprint_depends_on_method_target_and_body() -> None:
    base = request_fingerprint("POST", b"/things?x=1", b'{"a":1}')

    variants = {
        request_fingerprint("PUT", b"/things?x=1", b'{"a":1}'),
        request_fingerprint("POST", b"/things?x=2", b'{"a":1}'),
        request_fingerprint("POST", b"/things?x=1", b'{"a":2}'),
    }

    assert base not in variants
    assert len(variants) == 3
    assert request_fingerprint("post", b"/things?x=1", b'{"a":1}') == base


def test_the_fingerprint_cannot_be_confused_by_moving_bytes_between_parts() -> None:
    assert request_fingerprint("POST", b"/a", b"bc") != request_fingerprint("POST", b"/ab", b"c")


async def test_a_request_without_a_key_passes_through(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/echo", content=b"hello", headers={"Authorization": "Bearer good"}
    )

    assert response.status_code == 201
    assert response.json() == {"body": "hello"}


async def test_a_get_with_a_key_passes_through(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/echo", headers={"Idempotency-Key": "k", "Authorization": "Bearer good"}
    )

    assert response.status_code == 201


@pytest.mark.parametrize("authorization", [None, "Bearer bad", "Basic Zm9vOmJhcg=="])
async def test_a_request_without_a_verified_principal_passes_through(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Idempotency-Key": "k-1"} | (
        {"Authorization": authorization} if authorization else {}
    )

    response = await client.post("/echo", content=b"hello", headers=headers)

    assert response.status_code == 201
    assert response.json() == {"body": "hello"}


@pytest.mark.parametrize(
    "key",
    [b"", b"x" * 201, b"with space", b"caf\xc3\xa9", b"tab\there"],
    ids=["empty", "too-long", "space", "non-ascii", "tab"],
)
async def test_a_malformed_key_is_a_400_problem(client: httpx.AsyncClient, key: bytes) -> None:
    headers = [(b"Idempotency-Key", key), (b"Authorization", b"Bearer good")]

    response = await client.post("/echo", content=b"{}", headers=headers)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEM_BASE + "invalid-idempotency-key"


async def test_two_key_headers_are_a_400_problem(client: httpx.AsyncClient) -> None:
    headers = [
        (b"Idempotency-Key", b"a"),
        (b"Idempotency-Key", b"b"),
        (b"Authorization", b"Bearer good"),
    ]

    response = await client.post("/echo", content=b"{}", headers=headers)

    assert response.status_code == 400
