"""Reading deploy/k8s as kubectl would: the kustomizations' files, their documents, label
selectors, NetworkPolicy paths, and a container's environment as the kubelet builds it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.contract.deploy_files.settings import KUSTOMIZATIONS, ROOT, SECRETS_TEMPLATE


def kustomize_files(directory: Path) -> list[Path]:
    """The YAML files a kustomization (and the ones it includes) builds from."""
    config = yaml.safe_load((directory / "kustomization.yaml").read_text())
    files: list[Path] = []
    for resource in config.get("resources", []):
        path = (directory / resource).resolve()
        assert path.exists(), f"{directory}/kustomization.yaml: missing {resource}"
        files.extend(kustomize_files(path) if path.is_dir() else [path])
    return files


def docs_of(files: list[Path]) -> list[dict[str, Any]]:
    docs = []
    for path in files:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                doc["_file"] = path.relative_to(ROOT).as_posix()
                docs.append(doc)
    return docs


def all_k8s_docs() -> list[dict[str, Any]]:
    files = sorted({f for k in KUSTOMIZATIONS for f in kustomize_files(k)})
    return docs_of(files)


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def workloads(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] in ("Deployment", "Job")]


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector (matchLabels, matchExpressions) applied to a pod's labels."""
    if not matches(selector.get("matchLabels", {}), labels):
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def egress_ports(labels: dict[str, str], policies: list[dict[str, Any]]) -> set[int]:
    """The ports a pod with `labels` may reach: NetworkPolicy egress rules add up."""
    return {
        port["port"]
        for p in policies
        if "Egress" in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], labels)
        for rule in p["spec"].get("egress", [])
        for port in rule.get("ports", [])
    }


def secret_template() -> dict[str, dict[str, str]]:
    """Secret name -> data, placeholders replaced by syntactically valid stand-ins."""
    secrets = {}
    for doc in docs_of([SECRETS_TEMPLATE]):
        data = dict(doc.get("stringData", {}))
        for key, value in data.items():
            assert "CHANGE-ME" in value, f"{doc['metadata']['name']}.{key}: not a placeholder"
            if key == "DATABASE_URL":
                data[key] = "postgresql://admin:admin-pw@db.test:5432/postgres"
            else:  # URL-safe and long enough for the fingerprint key's 32-character minimum
                data[key] = f"test-{key.lower().replace('_', '-')}-" + "x" * 32
        secrets[doc["metadata"]["name"]] = data
    return secrets


def expand(value: str, env: dict[str, str]) -> str:
    """Kubernetes `$(VAR)` expansion: defined names are replaced, `$$` escapes."""

    def one(m: re.Match[str]) -> str:
        if m.group(0).startswith("$$"):
            return m.group(0)[1:]
        return env.get(m.group(1), m.group(0))

    return re.sub(r"\$\$\(\w+\)|\$\((\w+)\)", one, value)


def container_env(
    container: dict[str, Any], docs: list[dict[str, Any]]
) -> tuple[dict[str, str], set[str]]:
    """The container's environment as the kubelet builds it, and the names from Secrets."""
    config_maps = {n: d.get("data", {}) for n, d in by_kind(docs, "ConfigMap").items()}
    secrets = secret_template()
    env: dict[str, str] = {}
    secret_names: set[str] = set()
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(config_maps[source["configMapRef"]["name"]])
        else:
            data = secrets[source["secretRef"]["name"]]
            env.update(data)
            secret_names |= set(data)
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = expand(item["value"], env)
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets[ref["name"]][ref["key"]]
            secret_names.add(item["name"])
    unresolved = {n: v for n, v in env.items() if re.search(r"\$\(\w+\)", v)}
    assert not unresolved, f"{container['name']}: unresolved $(VAR) in {unresolved}"
    return env, secret_names


def argv_of(container: dict[str, Any]) -> list[str]:
    return list(container.get("command", ["imet"])) + list(container.get("args", []))


def ingress_sources(labels: dict[str, str], policies: list[dict[str, Any]]) -> dict[int, list[Any]]:
    """Port -> the `from:` peers NetworkPolicy admits to a pod with `labels` on that port."""
    sources: dict[int, list[Any]] = {}
    for p in policies:
        if "Ingress" not in p["spec"]["policyTypes"] or not selects(
            p["spec"]["podSelector"], labels
        ):
            continue
        for rule in p["spec"].get("ingress", []):
            for port in rule.get("ports", []):
                sources.setdefault(port["port"], []).extend(rule.get("from", [{"any": True}]))
    return sources
