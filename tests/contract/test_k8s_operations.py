"""deploy/k8s, for operations (issue 14 item 5, ADR 0105): autoscaling, who may reach a
service, how Prometheus finds the pods, and one service file as the template of the others.

Offline, from the manifests kustomize applies (tests/contract/deploy_files/ reads them
the same way; the schema check is tests/contract/test_k8s_schemas.py).
"""

from __future__ import annotations

import re
from typing import Any

from imet.services import DOMAIN_SERVICES
from tests.contract.deploy_files.k8s import all_k8s_docs, by_kind, ingress_sources, matches
from tests.contract.deploy_files.settings import K8S, SERVICE_PORT

MONITORING = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}
GATEWAY_PODS = {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "gateway"}}}


def autoscalers(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Deployment name -> the HPA that scales it."""
    found = by_kind(docs, "HorizontalPodAutoscaler").values()
    return {h["spec"]["scaleTargetRef"]["name"]: h for h in found}


def pod_labels(doc: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = doc["spec"]["template"]["metadata"]["labels"]
    return labels


def partitions(docs: list[dict[str, Any]]) -> int:
    return int(by_kind(docs, "ConfigMap")["imet-platform"]["data"]["KAFKA_TOPIC_PARTITIONS"])


def test_every_deployment_has_a_cpu_autoscaler_and_workers_stop_at_the_partition_count() -> None:
    docs = all_k8s_docs()
    deployments = by_kind(docs, "Deployment")
    hpas = autoscalers(docs)
    expected = {"gateway", *(f"{s}-{r}" for s in DOMAIN_SERVICES for r in ("api", "worker"))}
    assert set(deployments) == expected
    assert set(hpas) == expected, "one HPA per Deployment, none for anything else"

    for name, hpa in hpas.items():
        spec = hpa["spec"]
        assert hpa["apiVersion"] == "autoscaling/v2", name
        assert spec["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert 2 <= spec["minReplicas"] < spec["maxReplicas"], name
        (metric,) = spec["metrics"]
        assert metric["resource"]["name"] == "cpu", name
        assert 0 < metric["resource"]["target"]["averageUtilization"] <= 90, name
        # Utilization is measured against the request: every container must have one.
        for c in deployments[name]["spec"]["template"]["spec"]["containers"]:
            assert "cpu" in c["resources"]["requests"], f"{name}: no CPU request"
        assert spec["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 300, name
        if name.endswith("-worker"):
            # More consumers than partitions only stand by (ADR 0003): never scale past them.
            assert spec["maxReplicas"] == partitions(docs), name
            pods_per_step = spec["behavior"]["scaleDown"]["policies"]
            assert pods_per_step == [{"type": "Pods", "value": 1, "periodSeconds": 120}], name


def test_budgets_leave_room_below_the_autoscalers_minimum() -> None:
    docs = all_k8s_docs()
    hpas = autoscalers(docs)
    deployments = by_kind(docs, "Deployment")
    for budget in by_kind(docs, "PodDisruptionBudget").values():
        selector = budget["spec"]["selector"]["matchLabels"]
        (target,) = [n for n, d in deployments.items() if matches(selector, pod_labels(d))]
        least = hpas[target]["spec"]["minReplicas"]
        # A budget nobody can satisfy blocks every node drain.
        assert budget["spec"].get("minAvailable", 0) < least, budget["metadata"]["name"]


def test_only_the_gateway_reaches_a_service_and_only_monitoring_a_worker() -> None:
    docs = all_k8s_docs()
    policies = list(by_kind(docs, "NetworkPolicy").values())
    for svc in DOMAIN_SERVICES:
        for role, allowed in (("api", [GATEWAY_PODS, MONITORING]), ("worker", [MONITORING])):
            deployment = by_kind(docs, "Deployment")[f"{svc}-{role}"]
            sources = ingress_sources(pod_labels(deployment), policies)
            assert set(sources) == {SERVICE_PORT}, f"{svc}-{role}: only its one port"
            admitted = sources[SERVICE_PORT]
            assert sorted(map(repr, admitted)) == sorted(map(repr, allowed)), f"{svc}-{role}"


def test_prometheus_finds_every_long_running_pod_where_its_metrics_are() -> None:
    for name, doc in by_kind(all_k8s_docs(), "Deployment").items():
        template = doc["spec"]["template"]
        annotations = template["metadata"].get("annotations", {})
        (c,) = template["spec"]["containers"]
        ports = {p["containerPort"] for p in c["ports"]}
        assert annotations.get("prometheus.io/scrape") == "true", name
        assert int(annotations["prometheus.io/port"]) in ports, name
        assert annotations["prometheus.io/path"] == "/metrics", name


# The nomination's file also mounts its person-fingerprint key (ADR 0005): those lines only.
_OWN_SECRET = re.compile(
    r"^ *# HMAC key of the person fingerprint.*\n *- name: \w+_PERSON_FINGERPRINT_KEY\n"
    r" *valueFrom:\n *secretKeyRef: .*\n",
    re.M,
)


def test_a_service_file_is_the_catalogs_with_another_name() -> None:
    """So a new service (a reporting service, say) is `sed s/catalog/reporting/g catalog.yaml`
    plus its lines in base/config.yaml, the Secret template and kustomization.yaml
    (deploy/README.md "Adding a service")."""
    template = _OWN_SECRET.sub("", (K8S / "catalog.yaml").read_text())
    for svc in DOMAIN_SERVICES:
        text = _OWN_SECRET.sub("", (K8S / f"{svc}.yaml").read_text())
        as_catalog = text.replace(svc, "catalog").replace(svc.upper(), "CATALOG")
        assert as_catalog == template, f"deploy/k8s/{svc}.yaml drifted from catalog.yaml"
