"""What a service's health routes tell whom: liveness to anyone, dependency state to admins
through the public prefix and to the orchestrator at the root of the service port."""

from __future__ import annotations

from typing import Any

from tests.helpers.fixtures import auth

PUBLIC_READYZ = "/api/v1/probe/readyz"


async def test_readiness_under_the_public_prefix_is_for_admins_only(
    service_client: Any, token: Any
) -> None:
    client = await service_client("probe")

    anonymous = await client.get(PUBLIC_READYZ)
    auditor = await client.get(PUBLIC_READYZ, headers=auth(token("auditor")))
    admin = await client.get(PUBLIC_READYZ, headers=auth(token("admin")))

    assert anonymous.status_code == 401
    assert "checks" not in anonymous.json()
    assert auditor.status_code == 403
    assert "checks" not in auditor.json()
    assert admin.status_code in (200, 503)
    assert set(admin.json()["checks"]) >= {"database"}


async def test_readiness_at_the_root_answers_the_orchestrator_without_a_token(
    service_client: Any,
) -> None:
    client = await service_client("probe")

    response = await client.get("/readyz")

    assert response.status_code in (200, 503)
    assert "database" in response.json()["checks"]


async def test_liveness_under_the_public_prefix_needs_no_token(service_client: Any) -> None:
    client = await service_client("probe")

    response = await client.get("/api/v1/probe/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "probe"}
