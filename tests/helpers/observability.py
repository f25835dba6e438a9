"""deploy/observability read as data: the alert rules, the Grafana dashboard, and the metric
names their PromQL refers to (parsed with promql-parser, not matched with regexes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import promql_parser
import yaml

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "deploy" / "observability"
ALERTS = OBSERVABILITY / "alerts.yml"
ALERT_TESTS = OBSERVABILITY / "alerts.test.yml"
PROMETHEUS_K8S = OBSERVABILITY / "prometheus.yml"
PROMETHEUS_LOCAL = OBSERVABILITY / "prometheus.local.yml"
DASHBOARD = OBSERVABILITY / "grafana-dashboard.json"
# Series Prometheus makes itself for every target; our processes cannot export them.
PROMETHEUS_OWN = {"up"}


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def dashboard_panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every query of the dashboard."""
    return [(p["title"], t["expr"]) for p in dashboard_panels() for t in p["targets"]]


def metric_names(expr: str) -> set[str]:
    """Every metric name a PromQL expression selects (`name{...}` or `{__name__="name"}`)."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name, f"a selector without a metric name: {expr}"
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def referenced_metrics() -> dict[str, set[str]]:
    """Metric name -> where it is used ("alert X", "panel Y")."""
    used: dict[str, set[str]] = {}
    for rule in alert_rules():
        for name in metric_names(rule["expr"]):
            used.setdefault(name, set()).add(f"alert {rule['alert']}")
    for title, expr in dashboard_queries():
        for name in metric_names(expr):
            used.setdefault(name, set()).add(f"panel {title!r}")
    return used


# The series names a metric family of each type is exposed under (OpenMetrics suffixes).
_SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("_sum", "_count", ""),
    "gauge": ("",),
    "info": ("_info",),
    "stateset": ("",),
    "unknown": ("",),
}


def exposed_names(families: Any) -> tuple[set[str], set[str]]:
    """From metric families parsed by prometheus_client: (the names a query may select, the
    names that have samples now). A family is exposed even before its first sample (a counter
    of dead letters when nothing was dead-lettered yet): its `# TYPE` line says so."""
    declared: set[str] = set()
    sampled: set[str] = set()
    for family in families:
        declared |= {family.name + suffix for suffix in _SUFFIXES[family.type]}
        sampled |= {sample.name for sample in family.samples}
    return declared | sampled, sampled
