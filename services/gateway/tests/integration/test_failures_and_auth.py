"""What the gateway answers itself: 401, 413, 502, 504 as problem+json, health, readiness."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from gateway.signing.issuer import TokenIssuer
from services.gateway.tests.conftest import READ_TIMEOUT
from tests.helpers.timing import scaled

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "request_id"}


def _assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert set(body) >= PROBLEM_MEMBERS
    assert body["type"] == f"https://imet.example/problems/{slug}"
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_request_without_token_is_refused_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/catalog/courses")

    body = _assert_problem(response, 401, "unauthorized")
    assert body["instance"] == "/api/v1/catalog/courses"
    assert response.headers["www-authenticate"].startswith("Bearer ")


async def test_expired_token_is_refused_as_invalid(
    client: httpx.AsyncClient, issuer: TokenIssuer
) -> None:
    expired = issuer.issue("tester", ["admin"], ttl=-120)

    response = await client.get("/api/v1/catalog/courses",
                                headers={"Authorization": f"Bearer {expired}"})  # fmt: skip

    _assert_problem(response, 401, "unauthorized")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_refused_request_never_reaches_the_service(
    client: httpx.AsyncClient, upstreams: Any
) -> None:
    path = f"/api/v1/catalog/{uuid.uuid4().hex}"

    await client.get(path, headers={"Authorization": "Bearer not.a.token"})

    assert path not in upstreams.states["catalog"].seen_paths


async def test_service_health_is_public_through_the_gateway(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/catalog/healthz")

    assert response.status_code == 200
    assert response.json()["path"] == "/api/v1/catalog/healthz"


async def test_an_encoded_health_path_is_not_public(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/catalog/%68ealthz")

    assert response.status_code == 401


async def test_a_path_merely_ending_in_healthz_is_not_public(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/catalog/secret/healthz")

    assert response.status_code == 401


async def test_closed_upstream_port_answers_502_problem(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v1/funding/allocations", headers=auth)

    body = _assert_problem(response, 502, "bad-gateway")
    assert "funding" in body["detail"]


async def test_upstream_slower_than_the_read_timeout_answers_504_problem(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    service_takes = READ_TIMEOUT * 3
    started = time.monotonic()

    response = await client.get(f"/api/v1/catalog/slow?seconds={service_takes}", headers=auth)

    _assert_problem(response, 504, "gateway-timeout")
    assert time.monotonic() - started < service_takes  # the gateway did not wait for it


async def test_declared_oversized_body_is_refused_before_reaching_the_service(
    client: httpx.AsyncClient, auth: dict[str, str], upstreams: Any
) -> None:
    path = f"/api/v1/catalog/{uuid.uuid4().hex}"

    response = await client.post(path, content=b"x" * (256 * 1024 + 1), headers=auth)

    _assert_problem(response, 413, "payload-too-large")
    assert path not in upstreams.states["catalog"].seen_paths


async def test_streamed_oversized_body_is_cut_off_with_413(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async def body() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * (64 * 1024)

    response = await client.post(f"/api/v1/catalog/upload?id={uuid.uuid4().hex}",
                                 content=body(), headers=auth)  # fmt: skip

    _assert_problem(response, 413, "payload-too-large")


async def test_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/anything")

    _assert_problem(response, 404, "not-found")


async def test_gateway_healthz_answers_without_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.json() == {"status": "ok", "service": "gateway"}


async def test_readyz_is_503_listing_the_upstream_that_is_down(gateway_admin_url: str) -> None:
    async with httpx.AsyncClient(base_url=gateway_admin_url, timeout=scaled(10)) as http:
        response = await http.get("/readyz")

    body = _assert_problem(response, 503, "not-ready")
    assert body["upstreams"]["funding"]["ready"] is False
    assert body["upstreams"]["catalog"] == {"ready": True, "status": 200}


async def test_readyz_is_200_when_every_upstream_is_ready(all_ready_gateway_admin_url: str) -> None:
    async with httpx.AsyncClient(base_url=all_ready_gateway_admin_url, timeout=scaled(10)) as http:
        response = await http.get("/readyz")

    assert response.status_code == 200
    assert set(response.json()["upstreams"]) == {
        "catalog",
        "nomination",
        "vetting",
        "funding",
        "reporting",
    }


async def test_metrics_count_proxied_requests_per_upstream_and_status_class(
    client: httpx.AsyncClient, auth: dict[str, str], gateway_admin_url: str
) -> None:
    sample = 'imet_gateway_requests_total{status_class="2xx",upstream="vetting"}'
    async with httpx.AsyncClient(base_url=gateway_admin_url, timeout=scaled(10)) as admin:
        before = _sample(await admin.get("/metrics"), sample)

        await client.get("/api/v1/vetting/cases", headers=auth)

        assert _sample(await admin.get("/metrics"), sample) == before + 1


def _sample(response: httpx.Response, name: str) -> float:
    for line in response.text.splitlines():
        if line.startswith(name):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_the_aggregated_openapi_document_is_served_without_a_token(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "IMET Pipeline API"
    assert "/api/v1/auth/token" in document["paths"]  # the gateway's own routes are in it
    assert "bearerAuth" in document["components"]["securitySchemes"]
