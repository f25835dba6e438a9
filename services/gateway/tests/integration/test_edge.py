"""Security headers on every answer, and CORS: preflights answered at the edge, origins listed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers.timing import scaled

PORTAL = "https://portal.example"
API_CSP = "default-src 'none'; frame-ancestors 'none'"
SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
            "x-frame-options": "DENY"}  # fmt: skip


@pytest.fixture(scope="module")
def edge_gateway(start_gateway: Any) -> Iterator[str]:
    with start_gateway(cors_allowed_origins=[PORTAL], hsts_max_age_seconds=63072000) as url:
        yield url


@pytest.fixture
async def edge(edge_gateway: str) -> Any:
    async with httpx.AsyncClient(base_url=edge_gateway, timeout=scaled(10)) as http:
        yield http


def _assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY.items():
        assert response.headers.get(name) == value, name
    assert response.headers["strict-transport-security"].startswith("max-age=63072000")


async def test_a_proxied_answer_carries_the_security_headers_and_no_store(
    edge: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await edge.get("/api/v1/catalog/courses", headers=auth)

    assert response.status_code == 200
    _assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == API_CSP


async def test_the_edge_replaces_a_services_own_security_headers(
    edge: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await edge.get("/api/v1/catalog/headers-out", headers=auth)

    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers["x-upstream"] == "yes"


async def test_a_refusal_of_the_gateway_carries_the_security_headers(
    edge: httpx.AsyncClient,
) -> None:
    response = await edge.get("/api/v1/catalog/courses")

    assert response.status_code == 401
    _assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


async def test_the_gateways_own_json_answers_carry_the_security_headers(
    edge: httpx.AsyncClient,
) -> None:
    response = await edge.get("/healthz")

    _assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


async def test_the_docs_page_policy_allows_nothing_but_the_gateway_itself(
    edge: httpx.AsyncClient,
) -> None:
    response = await edge.get("/docs")

    _assert_security_headers(response)
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    sources = {source for values in policy.values() for source in values}
    assert not {s for s in sources if "://" in s or s.startswith("https:") or "." in s}


async def test_a_preflight_from_an_allowed_origin_is_answered_without_token_or_service(
    edge: httpx.AsyncClient, upstreams: Any
) -> None:
    path = f"/api/v1/catalog/{uuid.uuid4().hex}"

    response = await edge.options(path, headers={
        "Origin": PORTAL, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
    })  # fmt: skip

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "idempotency-key" in response.headers["access-control-allow-headers"]
    assert response.headers["access-control-max-age"] == "600"
    _assert_security_headers(response)
    assert path not in upstreams.states["catalog"].seen_paths


async def test_a_preflight_from_another_origin_is_refused(edge: httpx.AsyncClient) -> None:
    response = await edge.options("/api/v1/catalog/courses", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET",
    })  # fmt: skip

    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert response.json()["type"].endswith("/cors-origin-not-allowed")


async def test_an_answer_to_an_allowed_origin_lets_the_browser_read_it(
    edge: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await edge.get("/api/v1/catalog/courses", headers={**auth, "Origin": PORTAL})

    assert response.headers["access-control-allow-origin"] == PORTAL
    assert "x-request-id" in response.headers["access-control-expose-headers"]
    assert "origin" in response.headers.get_list("vary")


async def test_an_answer_to_another_origin_has_no_cors_headers(
    edge: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await edge.get(
        "/api/v1/catalog/courses", headers={**auth, "Origin": "https://evil.example"}
    )

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_the_default_gateway_allows_no_origin(client: httpx.AsyncClient) -> None:
    response = await client.options("/api/v1/catalog/courses", headers={
        "Origin": PORTAL, "Access-Control-Request-Method": "GET",
    })  # fmt: skip

    assert response.status_code == 403
