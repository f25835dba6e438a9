"""deploy/observability against a running stack (ADR 0105): every metric the alert rules and
the Grafana dashboard use is one our processes really expose, and a real Prometheus, given
the dev-stack configuration and the rules, scrapes every process and evaluates every rule and
every panel query without an error.

The stack is the e2e one (tests/e2e/conftest.py): each service one process with all roles, the
gateway with its admin listener. The Prometheus half needs Debian's `prometheus` binary
(.ci/run unpacks it): it skips on a developer's machine without it and fails in CI.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from imet.infra.process import free_port
from imet.services import DOMAIN_SERVICES
from imet.stack import Stack
from tests.e2e.driver import Driver
from tests.helpers.observability import (
    ALERTS,
    PROMETHEUS_LOCAL,
    PROMETHEUS_OWN,
    alert_rules,
    dashboard_queries,
    exposed_names,
    metric_names,
    referenced_metrics,
)
from tests.helpers.timing import scaled
from tests.helpers.tools import require_tool
from tests.helpers.waiting import eventually


def metrics_urls(stack: Stack) -> dict[str, str]:
    """Where each process of the stack serves /metrics (the gateway: its admin listener)."""
    urls = {s: f"http://127.0.0.1:{stack.options.ports[s]}/metrics" for s in DOMAIN_SERVICES}
    urls["gateway"] = f"{stack.gateway_admin_url}/metrics"
    return urls


async def scrape(stack: Stack) -> tuple[set[str], set[str]]:
    """(names exposed, names with samples) over every process of the stack."""
    declared: set[str] = set()
    sampled: set[str] = set()
    async with httpx.AsyncClient(timeout=scaled(15.0)) as client:
        for name, url in metrics_urls(stack).items():
            response = await client.get(url)
            assert response.status_code == 200, f"{name}: {response.status_code}"
            d, s = exposed_names(text_string_to_metric_families(response.text))
            declared |= d
            sampled |= s
    return declared, sampled


@pytest.fixture
async def pipeline_ran(gateway: httpx.AsyncClient, e2e_token: Any) -> None:
    """A nomination in vetting: every service has applied events and published some, so the
    figures the rules read have samples (nominations per state among them)."""
    driver = Driver(gateway, e2e_token)
    country = await driver.country()
    klass = await driver.course_with_class(capacity=4, tuition="18500.00")
    await driver.appropriation(klass["fiscal_year"])
    await driver.allocation(country, klass["fiscal_year"], "750000.00")
    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")


async def test_every_metric_of_the_rules_and_the_dashboard_is_exposed_by_a_running_stack(
    stack: Stack, pipeline_ran: None
) -> None:
    used = referenced_metrics()
    declared, sampled = await eventually(
        lambda: scrape(stack),
        lambda names: "imet_aggregates_by_state" in names[1],
        timeout=30,
    )

    missing = {n: sorted(w) for n, w in used.items() if n not in declared | PROMETHEUS_OWN}
    assert not missing, f"used in deploy/observability, exposed by no process: {missing}"
    # What an alert reads has series right now (not just a declared family): an alert on a
    # metric that never has samples could never fire.
    alerted = {name for rule in alert_rules() for name in metric_names(rule["expr"])}
    silent = sorted(alerted - sampled - PROMETHEUS_OWN)
    assert not silent, f"alerts read metrics with no samples: {silent}"


# ---- a real Prometheus ------------------------------------------------------------------------


def prometheus_binary() -> str:
    return require_tool("prometheus", "Debian's prometheus package")


def local_config_for(stack: Stack) -> dict[str, Any]:
    """deploy/observability/prometheus.local.yml, pointed at this stack's ports."""
    config: dict[str, Any] = yaml.safe_load(PROMETHEUS_LOCAL.read_text())
    ports = {**stack.options.ports, "gateway": stack.options.ports["gateway_admin"]}
    (job,) = config["scrape_configs"]
    for group in job["static_configs"]:
        group["targets"] = [f"127.0.0.1:{ports[group['labels']['app']]}"]
    # Fast enough for a test; the scrape timeout leaves the on-call refresh its 3 s per source.
    config["global"].update(scrape_interval="5s", scrape_timeout="5s", evaluation_interval="1s")
    return config


@pytest.fixture
def prometheus(stack: Stack, tmp_path: Path) -> Iterator[str]:
    binary = prometheus_binary()
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(local_config_for(stack)))
    shutil.copy(ALERTS, tmp_path / ALERTS.name)
    port = free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=scaled(20.0))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def api(client: httpx.AsyncClient, path: str, **params: str) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, f"{path} {params}: {response.text[:500]}"
    body = response.json()
    assert body["status"] == "success", body
    return body["data"]


async def test_prometheus_scrapes_the_stack_and_evaluates_every_rule_and_panel(
    stack: Stack, pipeline_ran: None, prometheus: str
) -> None:
    async with httpx.AsyncClient(base_url=prometheus, timeout=scaled(15.0)) as client:

        async def ready() -> bool:
            try:
                return (await client.get("/-/ready")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(ready, lambda ok: ok, timeout=30)

        # Every process answers the scrape (the gateway on its admin port).
        async def targets() -> dict[str, str]:
            data = await api(client, "/api/v1/targets", state="active")
            return {t["labels"]["app"]: t["health"] for t in data["activeTargets"]}

        health = await eventually(
            targets,
            lambda h: set(h) == {*DOMAIN_SERVICES, "gateway"} and set(h.values()) == {"up"},
            timeout=60,
        )
        assert set(health.values()) == {"up"}, health

        # Every rule evaluated after the first scrapes, without an error (a many-to-many
        # match, a bad label in `on (...)`, a template that does not render).
        async def rules() -> list[dict[str, Any]]:
            data = await api(client, "/api/v1/rules")
            return [r for group in data["groups"] for r in group["rules"]]

        def all_evaluated_with_data(found: list[dict[str, Any]]) -> bool:
            return bool(found) and all(r["health"] != "unknown" for r in found)

        evaluated = await eventually(rules, all_evaluated_with_data, timeout=60)
        assert {r["name"] for r in evaluated} == {r["alert"] for r in alert_rules()}
        broken = {r["name"]: r.get("lastError") for r in evaluated if r["health"] != "ok"}
        assert not broken, broken

        # Every panel's query runs (an empty result is fine: a rate needs two scrapes).
        for title, expr in dashboard_queries():
            data = await api(client, "/api/v1/query", query=expr)
            assert data["resultType"] == "vector", title

        # And the figures are the stack's: every service's relay leads, every target is up,
        # the nomination we made is counted.
        leaders = await api(
            client, "/api/v1/query", query="max by (service) (imet_outbox_relay_leader_present)"
        )
        assert {r["metric"]["service"]: r["value"][1] for r in leaders["result"]} == {
            s: "1" for s in DOMAIN_SERVICES
        }
        in_vetting = await api(
            client,
            "/api/v1/query",
            query='max(imet_aggregates_by_state{aggregate="nomination", state="vetting"})',
        )
        assert float(in_vetting["result"][0]["value"][1]) >= 1
