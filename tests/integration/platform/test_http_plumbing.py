"""HTTP plumbing of every service: problem+json, request ids, health, readiness, metrics."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.helpers.fixtures import auth
from tests.helpers.tcp_proxy import TcpProxy


async def test_validation_errors_are_problem_json_listing_the_fields_without_the_values(
    service_client: Any, token: Any
) -> None:
    client: httpx.AsyncClient = await service_client("probe")
    secret_value = "x" * 60

    response = await client.post(
        "/api/v1/probe/things",
        json={"key": secret_value, "value": -1},
        headers=auth(token("admin")),
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/validation-error")
    assert {e["field"] for e in body["errors"]} == {"body.key", "body.value"}
    assert secret_value not in response.text


async def test_business_rule_refusal_is_problem_json_with_a_stable_type(
    service_client: Any, token: Any
) -> None:
    client = await service_client("probe")

    response = await client.post(
        "/api/v1/probe/things", json={"key": "k", "value": 13}, headers=auth(token("admin"))
    )

    assert response.status_code == 409
    assert response.json()["type"] == "https://imet.example/problems/conflict"
    assert response.json()["detail"] == "13 is unlucky"


async def test_missing_or_forged_token_is_a_401_problem(service_client: Any) -> None:
    client = await service_client("probe")

    missing = await client.post("/api/v1/probe/things", json={"key": "k", "value": 1})
    forged = await client.post(
        "/api/v1/probe/things",
        json={"key": "k", "value": 1},
        headers={"Authorization": "Bearer abc.def.ghi"},
    )

    assert missing.status_code == forged.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert "bearer" in missing.headers["www-authenticate"].lower()


async def test_unknown_route_is_a_404_problem(service_client: Any) -> None:
    client = await service_client("probe")

    response = await client.get("/api/v1/probe/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_request_id_is_echoed_or_generated(service_client: Any) -> None:
    client = await service_client("probe")
    given = f"req-{uuid.uuid4()}"

    echoed = await client.get("/healthz", headers={"X-Request-ID": given})
    generated = await client.get("/healthz")
    rejected = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})

    assert echoed.headers["x-request-id"] == given
    assert uuid.UUID(generated.headers["x-request-id"])
    assert rejected.headers["x-request-id"] != "bad id with spaces"


async def test_health_answers_at_the_root_and_under_the_public_prefix(service_client: Any) -> None:
    client = await service_client("probe")

    root = await client.get("/healthz")
    public = await client.get("/api/v1/probe/healthz")

    assert root.status_code == public.status_code == 200
    assert public.json() == {"status": "ok", "service": "probe"}


async def test_readiness_depends_on_the_database_only_so_a_broker_outage_keeps_apis_serving(
    make_runtime: Any, proxied_broker: TcpProxy, monkeypatch: Any
) -> None:
    """Issue 10 item 7: writes succeed during a broker outage (the outbox holds the events), so
    an API must stay in rotation; broker health is the consumer's and relay's to report."""
    from shared.http.app import create_service_app

    proxy = proxied_broker
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", proxy.address)
    runtime = await make_runtime("probe")
    assert runtime.platform.kafka_bootstrap_servers == proxy.address
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_service_app(runtime)), base_url="http://t"
    )

    ready = await client.get("/readyz")
    proxy.cut()
    during_outage = await client.get("/readyz")
    proxy.restore()
    await client.aclose()

    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": {"ok": True}}
    assert during_outage.status_code == 200
    assert during_outage.json()["checks"] == {"database": {"ok": True}}


async def test_metrics_are_exposed_for_prometheus(service_client: Any) -> None:
    client = await service_client("probe")
    await client.get("/healthz")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert (
        'imet_http_requests_total{method="GET",route="/healthz",service="probe",status="200"}'
        in response.text
    )


async def test_input_the_database_cannot_store_is_a_422_problem_not_a_500(
    service_client: Any, token: Any
) -> None:
    client = await service_client("probe")

    response = await client.post(
        "/api/v1/probe/things",
        json={"key": "nul\u0000byte", "value": 1},
        headers=auth(token("admin")),
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/invalid-value")
