"""Every Kubernetes manifest in deploy/k8s validates against the Kubernetes API's own schemas,
offline (ADR 0105).

The validator is `kubernetes-validate` (a dev dependency, pinned in constraints.txt): the
OpenAPI schemas of each Kubernetes release, converted to JSON Schema and shipped inside the
package, so no cluster and no download is needed. Strict mode: a field the API does not know
(`readinesProbe`, `resource`) is an error, as `kubectl apply --validate=strict` would make it,
not a silently dropped key. Each document is checked against the oldest Kubernetes release we
support and the newest one the validator knows, so an API version that was removed or not yet
served fails too. A kind the validator has no schema for is a failure, never a skip.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
# The oldest release the manifests must run on (deploy/README.md "Kubernetes"): autoscaling/v2,
# policy/v1 and seccompProfile are all GA well before it.
MIN_KUBERNETES = "1.29.0"
VERSIONS = (MIN_KUBERNETES, latest_version())


def manifests() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(K8S.rglob("*.yaml")):
        if path.name == "kustomization.yaml":  # kustomize's own file, not an API object
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                name = f"{path.relative_to(K8S)}:{doc['kind']}/{doc['metadata']['name']}"
                found.append((name, doc))
    return found


def schema_errors(doc: dict[str, Any], version: str) -> str | None:
    """None when `doc` is valid for that Kubernetes release, else why not."""
    try:
        kubernetes_validate.validate(doc, version, strict=True)
    except kubernetes_validate.ValidationError as e:
        where = ".".join(str(p) for p in e.path) or "(document)"
        return f"{where}: {e.message}"
    except kubernetes_validate.SchemaNotFoundError as e:
        return e.message
    return None


MANIFESTS = manifests()


def test_the_manifests_are_found() -> None:
    kinds = {doc["kind"] for _, doc in MANIFESTS}
    assert {
        "Deployment", "Service", "HorizontalPodAutoscaler", "NetworkPolicy", "ConfigMap",
        "Secret", "Job", "PodDisruptionBudget", "Ingress", "Namespace",
    } <= kinds  # fmt: skip


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("name", "doc"), MANIFESTS, ids=[n for n, _ in MANIFESTS])
def test_manifest_matches_the_kubernetes_schema(
    name: str, doc: dict[str, Any], version: str
) -> None:
    assert schema_errors(doc, version) is None, f"{name} (Kubernetes {version})"


# ---- the validator itself rejects what it must (so a green run means something) --------------


def a_deployment() -> dict[str, Any]:
    (doc,) = (d for n, d in MANIFESTS if n.endswith("Deployment/catalog-api"))
    return copy.deepcopy(doc)


def test_a_misspelled_field_is_refused() -> None:
    doc = a_deployment()
    container = doc["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    assert "readinesProbe" in (schema_errors(doc, MIN_KUBERNETES) or "")


def test_a_wrong_type_is_refused() -> None:
    doc = a_deployment()
    doc["spec"]["replicas"] = "two"
    assert "replicas" in (schema_errors(doc, MIN_KUBERNETES) or "")


def test_an_api_version_kubernetes_no_longer_serves_is_refused() -> None:
    (hpa,) = [d for n, d in MANIFESTS if n.endswith("HorizontalPodAutoscaler/gateway")]
    old = copy.deepcopy(hpa)
    old["apiVersion"] = "autoscaling/v2beta2"  # removed in Kubernetes 1.26
    assert schema_errors(old, latest_version()) is not None
