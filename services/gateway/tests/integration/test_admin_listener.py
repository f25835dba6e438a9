"""Readiness and metrics live on the admin listener, never on the public door (ADR 0055).

The public port answers `/healthz` and a service's `<prefix>/healthz` to anyone; it has no
`/metrics` and no `/readyz`, and a service's `<prefix>/readyz` needs a token like any route.
`python -m gateway` serves both listeners and stops both on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from gateway.settings import GatewaySettings
from imet.infra.process import free_port
from tests.helpers.timing import scaled
from tests.helpers.waiting import eventually


async def test_the_public_port_serves_no_metrics_and_no_readiness(
    client: httpx.AsyncClient,
) -> None:
    metrics = await client.get("/metrics")
    readiness = await client.get("/readyz")

    assert metrics.status_code == 404
    assert "imet_gateway_requests" not in metrics.text
    assert readiness.status_code == 404
    assert "upstreams" not in readiness.text


async def test_a_services_readiness_through_the_gateway_needs_a_token(
    client: httpx.AsyncClient, auth: dict[str, str], upstreams: object
) -> None:
    anonymous = await client.get("/api/v1/catalog/readyz")
    signed_in = await client.get("/api/v1/catalog/readyz", headers=auth)

    assert anonymous.status_code == 401
    assert signed_in.status_code == 200  # forwarded: the service itself answers admins only
    assert signed_in.json()["path"] == "/api/v1/catalog/readyz"


async def test_the_admin_listener_serves_health_readiness_and_metrics(
    gateway_admin_url: str,
) -> None:
    async with httpx.AsyncClient(base_url=gateway_admin_url, timeout=scaled(10)) as admin:
        health = await admin.get("/healthz")
        readiness = await admin.get("/readyz")
        metrics = await admin.get("/metrics")

    assert health.json() == {"status": "ok", "service": "gateway"}
    assert set(readiness.json()["upstreams"]) == {
        "catalog",
        "nomination",
        "vetting",
        "funding",
        "reporting",
    }
    assert "imet_gateway_requests_total" in metrics.text


def test_the_admin_listener_binds_to_loopback_unless_told_otherwise() -> None:
    settings = GatewaySettings()

    assert (settings.admin_host, settings.admin_port) == ("127.0.0.1", 9000)
    assert settings.admin_port != settings.port


async def test_python_m_gateway_serves_both_listeners_and_stops_both_on_sigterm(
    tmp_path: Path,
) -> None:
    public, admin = free_port(), free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("GATEWAY_")}
    env |= {"GATEWAY_PORT": str(public), "GATEWAY_ADMIN_PORT": str(admin),
            "GATEWAY_KEY_DIR": str(tmp_path / "keys")}  # fmt: skip
    log = (tmp_path / "gateway.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "gateway"], env=env, stdout=log,
                               stderr=subprocess.STDOUT)  # fmt: skip
    try:
        async with httpx.AsyncClient(timeout=2) as http:

            async def admin_health() -> int:
                try:
                    return (await http.get(f"http://127.0.0.1:{admin}/healthz")).status_code
                except httpx.TransportError:
                    return 0

            await eventually(admin_health, lambda status: status == 200, timeout=30)
            public_health = await http.get(f"http://127.0.0.1:{public}/healthz")
            public_metrics = await http.get(f"http://127.0.0.1:{public}/metrics")
            admin_metrics = await http.get(f"http://127.0.0.1:{admin}/metrics")
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()

    assert public_health.status_code == 200
    assert public_metrics.status_code == 404
    assert admin_metrics.status_code == 200
    assert code == 0, (tmp_path / "gateway.log").read_text()[-2000:]
