"""deploy/observability, offline (ADR 0105): the alert rules, the Prometheus configurations and
the Grafana dashboard are well formed, their PromQL parses, they name only metrics our code
registers, and every alert fires at its threshold and not before.

- PromQL is parsed with promql-parser (a dev dependency) in every run.
- promtool (Debian's `prometheus` package, unpacked into the venv by `make test`) checks the
  rules and the configurations and runs the rules' unit tests (alerts.test.yml). Without
  promtool those tests skip on a developer's machine and fail in CI (CI=true).
- That a *running* service exposes each metric is tests/e2e/test_observability.py.
"""

from __future__ import annotations

import copy
import importlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.contract.deploy_files.k8s import all_k8s_docs, by_kind
from tests.helpers.observability import (
    ALERT_TESTS,
    ALERTS,
    DASHBOARD,
    OBSERVABILITY,
    PROMETHEUS_K8S,
    PROMETHEUS_LOCAL,
    PROMETHEUS_OWN,
    alert_rules,
    dashboard,
    dashboard_panels,
    dashboard_queries,
    exposed_names,
    metric_names,
    referenced_metrics,
)
from tests.helpers.tools import require_tool

# Every module that registers a Prometheus metric (tests/e2e/test_observability.py proves the
# same against running processes; this is the fast, offline half).
METRIC_MODULES = (
    "shared.http.metrics",
    "shared.http.ops_metrics",
    "shared.messaging.metrics",
    "shared.db.admission",
    "gateway.metrics",
    "gateway.revocations",
)
# What the on-call needs an alert for (issue 14 item 5), and the alerts that say it.
REQUIRED_ALERTS = {
    "consumer lag": {"ImetConsumerLagHigh", "ImetConsumerStalled"},
    "outbox backlog age": {"ImetOutboxBacklogOld", "ImetOutboxBacklogStuck"},
    "DLQ growth": {"ImetDeadLettersGrowing"},
    "relay without leader": {"ImetRelayWithoutLeader"},
    "5xx rate": {"ImetGateway5xxRate", "ImetService5xxRate"},
    "readiness down": {"ImetServiceNotReady", "ImetPodNotReady"},
}
DURATION = re.compile(r"^\d+[smhd]$")


def registered_names() -> set[str]:
    for module in METRIC_MODULES:
        importlib.import_module(module)
    exposition = "".join(
        f"# TYPE {m.name} {m.type}\n" for m in REGISTRY.collect() if m.name.startswith("imet_")
    )
    declared, _ = exposed_names(text_string_to_metric_families(exposition))
    return declared


# ---- alert rules ------------------------------------------------------------------------------


def test_alert_rules_are_well_formed_and_cover_what_the_on_call_needs() -> None:
    rules = alert_rules()
    names = [r["alert"] for r in rules]
    assert len(names) == len(set(names)), "alert names are unique"
    for rule in rules:
        where = rule["alert"]
        assert re.fullmatch(r"Imet[A-Z][A-Za-z0-9]+", where), where
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, where
        assert rule["labels"]["severity"] in ("warning", "critical"), where
        assert {"summary", "description"} <= set(rule["annotations"]), where
        if "for" in rule:
            assert DURATION.match(rule["for"]), where
        promql_parser.parse(rule["expr"])  # raises on a syntax error
    for need, alerts in REQUIRED_ALERTS.items():
        assert alerts <= set(names), f"{need}: missing {alerts - set(names)}"
    # Every alert has unit tests in alerts.test.yml (run by promtool below).
    cases = [
        case
        for test in yaml.safe_load(ALERT_TESTS.read_text())["tests"]
        for case in test["alert_rule_test"]
    ]
    tested = {case["alertname"] for case in cases}
    assert tested == set(names), f"alerts without a unit test: {set(names) - tested}"
    # Each alert is tested firing and silent.
    for name in names:
        outcomes = {bool(case["exp_alerts"]) for case in cases if case["alertname"] == name}
        assert outcomes == {True, False}, f"{name}: tested only {outcomes}"


def test_rules_and_dashboard_name_only_metrics_our_code_registers() -> None:
    known = registered_names() | PROMETHEUS_OWN
    used = referenced_metrics()
    unknown = {name: sorted(where) for name, where in used.items() if name not in known}
    assert not unknown, f"metrics nothing exports: {unknown}"


def test_a_misspelled_metric_would_be_caught() -> None:
    assert metric_names("max by (service) (imet_outbox_backlog_row) > 0 and on () up == 1") == {
        "imet_outbox_backlog_row",
        "up",
    }
    assert "imet_outbox_backlog_row" not in registered_names()
    with pytest.raises(ValueError, match="parenthesis"):
        promql_parser.parse("sum by (service) (rate(imet_http_requests_total[5m])")


# ---- Prometheus configurations ----------------------------------------------------------------


def test_the_kubernetes_scrape_config_finds_the_pods_the_manifests_annotate() -> None:
    config = yaml.safe_load(PROMETHEUS_K8S.read_text())
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "imet"  # ImetTargetDown selects up{job="imet"}
    (sd,) = job["kubernetes_sd_configs"]
    namespace = yaml.safe_load((OBSERVABILITY.parent / "k8s" / "kustomization.yaml").read_text())
    assert sd == {"role": "pod", "namespaces": {"names": [namespace["namespace"]]}}
    relabel = job["relabel_configs"]
    keep = {
        tuple(r["source_labels"]): re.compile(r["regex"])
        for r in relabel
        if r.get("action") == "keep"
    }
    target_labels = {r["target_label"] for r in relabel if "target_label" in r}
    # Not `service`: our metrics carry that label (a target label would rename theirs).
    assert {"namespace", "pod", "app", "component"} <= target_labels
    assert "service" not in target_labels

    def meta(key: str) -> str:
        return re.sub(r"[^a-zA-Z0-9_]", "_", key)

    part_of = ("__meta_kubernetes_pod_label_" + meta("app.kubernetes.io/part-of"),)
    scrape = ("__meta_kubernetes_pod_annotation_" + meta("prometheus.io/scrape"),)
    port_pair = (
        "__meta_kubernetes_pod_container_port_number",
        "__meta_kubernetes_pod_annotation_" + meta("prometheus.io/port"),
    )
    assert set(keep) == {part_of, scrape, port_pair}
    for name, doc in by_kind(all_k8s_docs(), "Deployment").items():
        template = doc["spec"]["template"]
        labels, annotations = template["metadata"]["labels"], template["metadata"]["annotations"]
        (c,) = template["spec"]["containers"]
        assert keep[part_of].fullmatch(labels["app.kubernetes.io/part-of"]), name
        assert keep[scrape].fullmatch(annotations["prometheus.io/scrape"]), name
        # Of the pod's declared ports, exactly the annotated one is scraped.
        kept = [
            p["containerPort"]
            for p in c["ports"]
            if keep[port_pair].fullmatch(
                f"{p['containerPort']};{annotations['prometheus.io/port']}"
            )
        ]
        assert kept == [int(annotations["prometheus.io/port"])], name


def test_the_local_config_scrapes_the_dev_stack_ports() -> None:
    from imet.services import HTTP_PORTS

    config = yaml.safe_load(PROMETHEUS_LOCAL.read_text())
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "imet"
    targets = {group["labels"]["app"]: group["targets"] for group in job["static_configs"]}
    expected = {
        name: [f"127.0.0.1:{port}"] for name, port in HTTP_PORTS.items() if name != "gateway"
    }
    expected["gateway"] = expected.pop("gateway_admin")
    assert targets == expected


# ---- Grafana dashboard ------------------------------------------------------------------------


def test_the_dashboard_is_importable_and_shows_every_alerted_metric() -> None:
    board = dashboard()
    assert board["uid"], "a stable uid: links and provisioning find the dashboard by it"
    assert board["title"]
    assert isinstance(board["schemaVersion"], int)
    (variable,) = board["templating"]["list"]
    assert (variable["name"], variable["type"], variable["query"]) == (
        "datasource",
        "datasource",
        "prometheus",
    )
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"

    cells: set[tuple[int, int]] = set()
    for panel in board["panels"]:
        pos = panel["gridPos"]
        assert 0 <= pos["x"] < pos["x"] + pos["w"] <= 24, panel["title"]  # Grafana's 24 columns
        columns = range(pos["x"], pos["x"] + pos["w"])
        mine = {(x, y) for x in columns for y in range(pos["y"], pos["y"] + pos["h"])}
        assert not cells & mine, f"{panel['title']!r} overlaps another panel"
        cells |= mine
    for panel in dashboard_panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"], panel["title"]
    for title, expr in dashboard_queries():
        try:
            promql_parser.parse(expr)
        except ValueError as e:
            raise AssertionError(f"panel {title!r}: {e}: {expr}") from e

    shown = {name for _, expr in dashboard_queries() for name in metric_names(expr)}
    alerted = {name for rule in alert_rules() for name in metric_names(rule["expr"])}
    assert alerted <= shown, f"alerted but not on the dashboard: {alerted - shown}"
    # Saga states and the DB pool (issue 14 item 2).
    assert {"imet_aggregates_by_state", "imet_db_pool_in_use", "imet_db_pool_size"} <= shown


# ---- promtool ---------------------------------------------------------------------------------


def promtool() -> str:
    return require_tool("promtool", "Debian's prometheus package")


def run_promtool(*args: str, cwd: Path = OBSERVABILITY) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def test_promtool_checks_the_rules() -> None:
    result = run_promtool("check", "rules", ALERTS.name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout


def test_promtool_unit_tests_every_alert_threshold() -> None:
    result = run_promtool("test", "rules", ALERT_TESTS.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_fail_on_a_changed_threshold(tmp_path: Path) -> None:
    """The unit tests pin the thresholds: the same tests against a laxer rule fail."""
    text = ALERTS.read_text().replace(
        "max by (service) (imet_outbox_oldest_unpublished_seconds) > 120",
        "max by (service) (imet_outbox_oldest_unpublished_seconds) > 600",
    )
    assert text != ALERTS.read_text()
    (tmp_path / ALERTS.name).write_text(text)
    shutil.copy(ALERT_TESTS, tmp_path / ALERT_TESTS.name)
    result = run_promtool("test", "rules", ALERT_TESTS.name, cwd=tmp_path)
    assert result.returncode != 0
    assert "ImetOutboxBacklogOld" in result.stdout + result.stderr


def test_promtool_checks_the_local_config() -> None:
    result = run_promtool("check", "config", PROMETHEUS_LOCAL.name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_checks_the_kubernetes_config(tmp_path: Path) -> None:
    """Debian builds Prometheus without Kubernetes service discovery (the `+ds` package), so
    its promtool rejects `kubernetes_sd_configs`. Then the rest of the file (relabelling,
    regexes, rule files) is checked with static targets instead; the discovery block itself is
    checked against the manifests above."""
    result = run_promtool("check", "config", PROMETHEUS_K8S.name)
    if result.returncode == 0:
        return
    output = result.stdout + result.stderr
    assert "field kubernetes_sd_configs not found" in output, output
    config: dict[str, Any] = copy.deepcopy(yaml.safe_load(PROMETHEUS_K8S.read_text()))
    for job in config["scrape_configs"]:
        job.pop("kubernetes_sd_configs")
        job["static_configs"] = [{"targets": ["127.0.0.1:8080"]}]
    (tmp_path / PROMETHEUS_K8S.name).write_text(yaml.safe_dump(config))
    shutil.copy(ALERTS, tmp_path / ALERTS.name)
    result = run_promtool("check", "config", PROMETHEUS_K8S.name, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_file_is_plain_json() -> None:
    # Grafana imports it as is: no comments, no trailing commas, UTF-8.
    assert DASHBOARD.read_bytes().decode("utf-8").startswith("{")
