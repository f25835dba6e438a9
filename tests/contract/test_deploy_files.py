"""The deployment files (deploy/) agree with the code, offline: no cluster, no Docker engine.

- The Dockerfile builds ONE image without the `embedded`/`dev` extras, runs as a numeric
  non-root user and bakes in no secret.
- Kubernetes (deploy/k8s): every workload runs that image, hardened (non-root, read-only root,
  no capabilities, no service-account token, no service links), with probes and resources;
  every service has its API and worker Deployments, a Service and PodDisruptionBudgets.
- docker compose (deploy/docker-compose.yml, interpolated with deploy/.env.example as compose
  does it): the same processes, health checks and start order. When the `docker compose`
  plugin answers, `docker compose config` must accept the file too.
- Settings: each container's environment is resolved (ConfigMaps, the Secret template with its
  placeholders filled in, `$(VAR)` expansion, compose interpolation) and the settings classes
  its command loads are built from it with IMET_ENV=production. So every variable the code
  requires is there, every IMET-looking variable is one the code reads (no typos), and each
  service sees only its own secrets.
- The gateway's own database (OAuth2 client registrations, the token endpoint; ADR 0008): the
  deploy-time job provisions and migrates it (GATEWAY_DB_PASSWORD, GATEWAY_DATABASE_URL), the
  gateway gets the same URL and starts after that job, and its NetworkPolicy lets it reach
  PostgreSQL.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic_settings import BaseSettings

from imet.provision import GATEWAY
from imet.services import DOMAIN_SERVICES
from shared.settings import PlatformSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"
SECRETS_TEMPLATE = K8S / "secrets.example.yaml"
KUSTOMIZATIONS = (K8S, K8S / "migrate")
IMAGE = "imet-pipeline"  # the name in the manifests; kustomize `images:` points it at a registry
SERVICE_PORT = 8080
WORKER_ROLES = {"http", "consumer", "relay", "jobs"}
# Every schema `imet provision` creates in production, each with its own login role.
DB_OWNERS = (*DOMAIN_SERVICES, GATEWAY)
TMP = "/tmp"  # noqa: S108 - the read-only containers' one writable folder, checked below

# Variables the deployment files set that no settings class reads (and who reads them).
EXTRA_ENV = {
    "DATABASE_URL": "imet provision: the administrator URL",
    "DB_HOST": "k8s: composes <SERVICE>_DATABASE_URL",
    "DB_PORT": "k8s: composes <SERVICE>_DATABASE_URL",
    "DB_NAME": "k8s: composes <SERVICE>_DATABASE_URL; `imet provision --database`",
    "PGSSLMODE": "asyncpg: TLS to PostgreSQL",
    **{f"{s.upper()}_DB_PASSWORD": "imet provision; composes the URL" for s in DB_OWNERS},
}
OUR_PREFIXES = (
    "IMET_",
    "KAFKA_",
    "AUTH_",
    "LOG_",
    "GATEWAY_",
    *(f"{s.upper()}_" for s in DOMAIN_SERVICES),
)


# ---- what the code reads ----------------------------------------------------------------------


def service_settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"{service}.settings")
    found = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type)
        and issubclass(obj, ServiceSettings)
        and obj.__module__ == module.__name__
    ]
    assert len(found) == 1, f"{service}.settings should define one ServiceSettings subclass"
    return found[0]


def gateway_settings_class() -> type[BaseSettings]:
    cls: type[BaseSettings] = importlib.import_module("gateway.settings").GatewaySettings
    return cls


def env_fields(cls: type[BaseSettings]) -> dict[str, bool]:
    """Environment variable name -> required, for every field of a settings class."""
    prefix = str(cls.model_config.get("env_prefix") or "")
    return {f"{prefix}{name}".upper(): f.is_required() for name, f in cls.model_fields.items()}


@dataclass
class Process:
    """What a container runs, read from its command line."""

    kind: str  # "serve", "gateway" or "deploy"
    service: str | None = None
    roles: set[str] = field(default_factory=set)
    steps: list[str] = field(default_factory=list)
    database: str | None = None  # `imet provision --database` as written ("imet", "$DB_NAME")

    def settings_classes(self) -> list[type[BaseSettings]]:
        if self.kind == "serve":
            assert self.service is not None
            return [PlatformSettings, service_settings_class(self.service)]
        if self.kind == "gateway":
            return [PlatformSettings, gateway_settings_class()]
        return [PlatformSettings, *(service_settings_class(s) for s in DOMAIN_SERVICES)]


def process_of(argv: list[str]) -> Process:
    if argv[:3] == ["python", "-m", "gateway"]:
        return Process("gateway")
    if argv[:2] == ["imet", "serve"]:
        roles = {"http", "consumer", "relay", "jobs"}
        if "--roles" in argv:
            roles = set(argv[argv.index("--roles") + 1].split(","))
        return Process("serve", service=argv[2], roles=roles)
    if argv[:2] == ["/bin/sh", "-ec"]:
        database = re.search(r"imet provision --database (\S+)", argv[2])
        return Process(
            "deploy",
            steps=re.findall(r"^\s*imet (\w+)", argv[2], re.MULTILINE),
            database=database.group(1).strip("\"'") if database else None,
        )
    raise AssertionError(f"unknown command line {argv}")


def load_settings(cls: type[Any], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """`cls()` built from exactly `env`: the test run's own IMET variables are hidden."""
    with monkeypatch.context() as m:
        for name in list(os.environ):
            if name.startswith(OUR_PREFIXES) or name in EXTRA_ENV:
                m.delenv(name)
        for name, value in env.items():
            m.setenv(name, value)
        return cls()


def check_environment(
    where: str,
    process: Process,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    secret_names: set[str],
) -> list[Any]:
    """The settings of `process` load from `env` in production; returns them (same order)."""
    classes = process.settings_classes()
    known = set(EXTRA_ENV)
    for cls in (
        PlatformSettings,
        gateway_settings_class(),
        *(service_settings_class(s) for s in DOMAIN_SERVICES),
    ):
        known |= set(env_fields(cls))
    typos = sorted(n for n in env if n.startswith(OUR_PREFIXES) and n not in known)
    assert not typos, f"{where}: variables no code reads (typo?): {typos}"

    for cls in classes:
        missing = [n for n, required in env_fields(cls).items() if required and n not in env]
        assert not missing, f"{where}: {cls.__name__} requires {missing}"
    assert env.get("IMET_ENV") == "production", f"{where}: IMET_ENV must be production"

    # Least privilege: a service process sees no other service's secrets.
    if process.kind in ("serve", "gateway"):
        own = f"{process.service.upper()}_" if process.service else "GATEWAY_"
        foreign = sorted(n for n in secret_names if not n.startswith(own))
        assert not foreign, f"{where}: secrets of others: {foreign}"
    if process.kind == "gateway":
        # Without it the gateway only proxies: no token endpoint, no `imet clients` in the pod.
        assert "GATEWAY_DATABASE_URL" in env, f"{where}: no GATEWAY_DATABASE_URL"
        url = urlsplit(env["GATEWAY_DATABASE_URL"])
        assert url.username == f"imet_{GATEWAY}", f"{where}: the gateway's own role"
    if process.kind == "deploy":
        # `imet provision` in production needs the administrator URL and every password; the
        # gateway's schema is provisioned only with GATEWAY_DB_PASSWORD and migrated only
        # with GATEWAY_DATABASE_URL.
        needed = {"DATABASE_URL", *(f"{s.upper()}_DB_PASSWORD" for s in DB_OWNERS)}
        needed |= {f"{s.upper()}_DATABASE_URL" for s in DB_OWNERS}
        assert needed <= set(env), f"{where}: imet provision needs {sorted(needed - set(env))}"
        assert process.steps == ["provision", "migrate", "topics"], f"{where}: {process.steps}"
        # `imet migrate` connects as the roles `imet provision` just created, with the
        # passwords it set, to the database it created.
        assert process.database, f"{where}: imet provision --database"
        database = process.database
        if database.startswith("$"):
            database = env[database.strip("${}")]
        for owner in DB_OWNERS:
            url = urlsplit(env[f"{owner.upper()}_DATABASE_URL"])
            assert url.username == f"imet_{owner}", f"{where}: {owner}'s own role"
            assert url.password == env[f"{owner.upper()}_DB_PASSWORD"], f"{where}: {owner}"
            assert url.path == f"/{database}", f"{where}: {owner}: the provisioned database"
    return [load_settings(cls, env, monkeypatch) for cls in classes]


# ---- Dockerfile -------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = (ln.strip() for ln in text.splitlines())
    return [
        (ln.split(None, 1)[0].upper(), ln.split(None, 1)[1] if " " in ln else "")
        for ln in lines
        if ln and not ln.startswith("#")
    ]


def test_dockerfile_builds_one_production_image() -> None:
    steps = dockerfile_instructions()
    arg_defaults = dict(a.split("=", 1) for kind, a in steps if kind == "ARG" and "=" in a)
    bases = [a.split()[0] for kind, a in steps if kind == "FROM"]
    assert len(bases) >= 2, "multi-stage: a build stage and a runtime stage"
    for base in bases:
        image = re.sub(r"\$\{(\w+)\}", lambda m: arg_defaults[m.group(1)], base)
        assert image.startswith("python:3.11-slim"), base

    runs = " ".join(a for kind, a in steps if kind == "RUN")
    assert "pip install" in runs
    assert "-c constraints.txt" in runs, "installs are pinned by constraints.txt"
    assert not re.search(r"\[[^\]]*(embedded|dev)[^\]]*\]", runs), "no embedded/dev extras"
    assert "['project']['dependencies']" in runs, "dependencies come from pyproject.toml"

    final_stage = steps[max(i for i, (kind, _) in enumerate(steps) if kind == "FROM") :]
    users = [a for kind, a in final_stage if kind == "USER"]
    assert users, "the runtime stage sets USER"
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]), "numeric non-root USER (runAsNonRoot)"
    assert ("ENTRYPOINT", '["imet"]') in final_stage

    for kind, args in steps:
        if kind in ("ENV", "ARG"):
            assert not re.search(r"(PASSWORD|SECRET|TOKEN|PRIVATE|_KEY)\b", args.upper()), args
    for kind, args in steps:
        if kind == "COPY" and "--from" not in args:
            for source in args.split()[:-1]:
                assert source == "." or (ROOT / source).exists(), f"COPY of a missing {source}"


def test_dockerignore_sends_only_what_the_image_runs() -> None:
    rules = [
        ln.strip() for ln in DOCKERIGNORE.read_text().splitlines() if ln.strip()[:1] not in "#"
    ]
    assert rules[0] == "**", "deny everything first, then re-include"
    included = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    assert {"pyproject.toml", "constraints.txt", "shared", "imet", "services"} <= included
    assert not included & {".git", ".venv", "var", "tests", "deploy", "bench"}
    assert "services/*/tests/" in rules


# ---- Kubernetes -------------------------------------------------------------------------------


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


def test_kustomizations_cover_every_manifest_and_pin_one_image() -> None:
    used = {f for k in KUSTOMIZATIONS for f in kustomize_files(k)}
    on_disk = {p.resolve() for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml"}
    orphans = on_disk - used - {SECRETS_TEMPLATE.resolve()}
    assert not orphans, f"manifests no kustomization applies: {sorted(map(str, orphans))}"
    assert SECRETS_TEMPLATE.resolve() not in used, "the Secret template must never be applied"

    images = [
        yaml.safe_load((k / "kustomization.yaml").read_text())["images"] for k in KUSTOMIZATIONS
    ]
    assert all(i == images[0] for i in images), "both kustomizations set the same image"
    assert [i["name"] for i in images[0]] == [IMAGE]


def test_every_manifest_is_well_formed_and_unique() -> None:
    docs = all_k8s_docs() + docs_of([SECRETS_TEMPLATE])
    seen = set()
    for doc in docs:
        assert {"apiVersion", "kind", "metadata"} <= set(doc), doc["_file"]
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in seen, f"duplicate {key}"
        seen.add(key)


def test_every_workload_runs_the_one_image_hardened() -> None:
    docs = all_k8s_docs()
    assert len(workloads(docs)) == 2 * len(DOMAIN_SERVICES) + 2  # api+worker each, gateway, Job
    for doc in workloads(docs):
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        pod = doc["spec"]["template"]["spec"]
        assert pod.get("automountServiceAccountToken") is False, name
        assert pod.get("enableServiceLinks") is False, f"{name}: GATEWAY_PORT=tcp://... collides"
        ctx = pod["securityContext"]
        assert ctx["runAsNonRoot"] is True, name
        assert ctx["runAsUser"] > 0, name
        assert ctx["seccompProfile"]["type"] == "RuntimeDefault", name
        assert "initContainers" not in pod, name
        for c in pod["containers"]:
            assert c["image"] == IMAGE, f"{name}: one image for every process"
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(c["resources"][kind]), f"{name}: {kind}"
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
            assert TMP in mounts, f"{name}: a writable /tmp beside the read-only root"


def test_deployments_probe_health_and_have_budgets() -> None:
    docs = all_k8s_docs()
    budgets = by_kind(docs, "PodDisruptionBudget").values()
    autoscaled = {  # Deployment -> the least replicas its HPA keeps (the HPA owns the count)
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["minReplicas"]
        for h in by_kind(docs, "HorizontalPodAutoscaler").values()
    }
    for doc in by_kind(docs, "Deployment").values():
        name = doc["metadata"]["name"]
        labels = doc["spec"]["template"]["metadata"]["labels"]
        assert matches(doc["spec"]["selector"]["matchLabels"], labels), name
        (c,) = doc["spec"]["template"]["spec"]["containers"]
        port_names = {p["name"]: p["containerPort"] for p in c["ports"]}
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert c[probe]["httpGet"]["port"] in port_names, f"{name}: {probe}"
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        # The services' readiness is /readyz (DB + broker); the gateway's is /healthz, since
        # its /readyz fails whenever any one service is unready.
        ready = "/healthz" if labels["app.kubernetes.io/component"] == "gateway" else "/readyz"
        assert c["readinessProbe"]["httpGet"]["path"] == ready, name
        replicas = autoscaled.get(name, doc["spec"].get("replicas", 1))
        assert replicas >= 2, f"{name}: at least two replicas"
        if name in autoscaled:  # else every `kubectl apply` resets what the HPA decided
            assert "replicas" not in doc["spec"], f"{name}: the HPA owns the count"
        assert any(matches(b["spec"]["selector"]["matchLabels"], labels) for b in budgets), name


def test_each_service_has_api_worker_service_and_budgets() -> None:
    docs = all_k8s_docs()
    deployments = by_kind(docs, "Deployment")
    services = by_kind(docs, "Service")
    for svc in DOMAIN_SERVICES:
        api, worker = deployments[f"{svc}-api"], deployments[f"{svc}-worker"]
        (api_c,) = api["spec"]["template"]["spec"]["containers"]
        (worker_c,) = worker["spec"]["template"]["spec"]["containers"]
        assert process_of(argv_of(api_c)) == Process("serve", svc, {"http"})
        # The worker keeps the http role: it is what serves its probes and /metrics.
        assert process_of(argv_of(worker_c)) == Process("serve", svc, WORKER_ROLES)
        assert [p["containerPort"] for p in api_c["ports"]] == [SERVICE_PORT]
        service = services[svc]
        api_labels = api["spec"]["template"]["metadata"]["labels"]
        worker_labels = worker["spec"]["template"]["metadata"]["labels"]
        assert matches(service["spec"]["selector"], api_labels), svc
        assert not matches(service["spec"]["selector"], worker_labels), f"{svc}: worker routed"
        assert service["spec"]["ports"][0]["port"] == SERVICE_PORT
    gateway = deployments["gateway"]
    assert matches(
        services["gateway"]["spec"]["selector"], gateway["spec"]["selector"]["matchLabels"]
    )
    (ingress,) = by_kind(docs, "Ingress").values()
    backends = [
        p["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for p in rule["http"]["paths"]
    ]
    assert backends == ["gateway"], "only the gateway is public"


def test_network_policies_deny_by_default_and_allow_the_documented_paths() -> None:
    docs = all_k8s_docs()
    policies = list(by_kind(docs, "NetworkPolicy").values())
    assert any(
        p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress") and not p["spec"].get("egress")
        for p in policies
    ), "a default-deny policy"  # fmt: skip
    components = {
        d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
        for d in workloads(docs)
    }
    selected: set[str] = set()
    for p in policies:
        sel = p["spec"]["podSelector"]
        selected |= set(sel.get("matchLabels", {}).values())
        for expr in sel.get("matchExpressions", []):
            selected |= set(expr["values"])
    assert components <= selected | {"imet-pipeline"}, "every component has a policy"
    # What each workload must reach. The gateway: the service APIs, and PostgreSQL for its
    # client registrations (the token endpoint). Services and the migrate Job: PostgreSQL,
    # Kafka and the gateway's JWKS. Everyone: DNS.
    needs = {
        "gateway": {53, SERVICE_PORT, 5432},
        "api": {53, 5432, 9092, 8000},
        "worker": {53, 5432, 9092, 8000},
        "migrate": {53, 5432, 9092},
    }
    for doc in workloads(docs):
        labels = doc["spec"]["template"]["metadata"]["labels"]
        allowed = egress_ports(labels, policies)
        missing = needs[labels["app.kubernetes.io/component"]] - allowed
        assert not missing, f"{doc['kind']}/{doc['metadata']['name']}: no egress to {missing}"


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


def test_the_gateways_admin_port_is_for_probes_and_monitoring_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = all_k8s_docs()
    gateway = by_kind(docs, "Deployment")["gateway"]
    template = gateway["spec"]["template"]
    (c,) = template["spec"]["containers"]
    env, secret_names = container_env(c, docs)
    process = process_of(argv_of(c))
    settings = check_environment("gateway", process, env, monkeypatch,
                                 secret_names=secret_names)[1]  # fmt: skip
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    policies = list(by_kind(docs, "NetworkPolicy").values())
    sources = ingress_sources(template["metadata"]["labels"], policies)
    service_ports = [p["port"] for p in by_kind(docs, "Service")["gateway"]["spec"]["ports"]]
    monitoring = {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "monitoring"}}}  # fmt: skip

    # The admin listener (readiness details, /metrics) listens on the pod IP, on its own port.
    assert (settings.admin_host, settings.admin_port) == ("0.0.0.0", ports["admin"])
    assert settings.admin_port != settings.port == ports["http"]
    # Nothing routes to it: not the Service (so not the Ingress), only the scraper's policy.
    assert service_ports == [settings.port]
    assert sources[settings.admin_port] == [monitoring]
    assert monitoring not in sources[settings.port]
    annotations = template["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(settings.admin_port)
    assert annotations["prometheus.io/path"] == "/metrics"


def test_kubernetes_environments_load_the_settings_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = all_k8s_docs()
    services = by_kind(docs, "Service")
    service_ports = {n: s["spec"]["ports"][0]["port"] for n, s in services.items()}
    gateway_db_urls: dict[str, str] = {}  # process kind -> GATEWAY_DATABASE_URL
    for doc in workloads(docs):
        pod = doc["spec"]["template"]["spec"]
        for c in pod["containers"]:
            where = f"{doc['kind']}/{doc['metadata']['name']}"
            process = process_of(argv_of(c))
            env, secret_names = container_env(c, docs)
            loaded = check_environment(where, process, env, monkeypatch, secret_names=secret_names)
            platform = loaded[0]
            assert platform.imet_env == "production"
            if process.kind == "serve":
                settings = loaded[1]
                assert (settings.http_host, settings.http_port) == ("0.0.0.0", SERVICE_PORT)
                url = urlsplit(settings.database_url.get_secret_value())
                assert url.username == f"imet_{process.service}", f"{where}: its own role"
                jwks = urlsplit(platform.auth_jwks_url)
                assert jwks.path == "/.well-known/jwks.json", where
                assert service_ports.get(jwks.hostname) == jwks.port, f"{where}: JWKS host"
            if process.kind == "gateway":
                settings = loaded[1]
                assert settings.host == "0.0.0.0"
                assert settings.port == service_ports["gateway"]
                for svc in DOMAIN_SERVICES:
                    up = urlsplit(getattr(settings, f"{svc}_url"))
                    assert (up.hostname, up.port) == (svc, service_ports[svc]), where
                mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
                volumes = {v["name"]: v for v in pod["volumes"]}
                keys = volumes[mounts[str(settings.key_dir)]]
                assert keys["secret"]["secretName"] == "imet-gateway-keys", where
                assert str(platform.auth_jwks_file).startswith(str(settings.key_dir)), where
                # The token endpoint: the gateway's own role, its password from the Secret.
                assert settings.database_url is not None, f"{where}: no token endpoint"
                gateway_db_urls["gateway"] = settings.database_url.get_secret_value()
                refs = {
                    e["name"]: e["valueFrom"]["secretKeyRef"]
                    for e in c.get("env", [])
                    if "valueFrom" in e
                }
                assert refs["GATEWAY_DB_PASSWORD"] == {
                    "name": "imet-db-passwords",
                    "key": "GATEWAY_DB_PASSWORD",
                }, where
            if process.kind == "deploy":
                for svc, settings in zip(DOMAIN_SERVICES, loaded[1:], strict=True):
                    url = urlsplit(settings.database_url.get_secret_value())
                    assert url.username == f"imet_{svc}", where
                    assert url.path == f"/{env['DB_NAME']}", f"{where}: the provisioned database"
                gateway_db_urls["deploy"] = env["GATEWAY_DATABASE_URL"]
    # The gateway connects to exactly the role and schema the migrate Job provisioned.
    assert gateway_db_urls["gateway"] == gateway_db_urls["deploy"]


# ---- docker compose ---------------------------------------------------------------------------


def env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


_VAR = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)")


def interpolate(value: Any, env: dict[str, str], used: set[str]) -> Any:
    """Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, $$."""
    if isinstance(value, dict):
        return {k: interpolate(v, env, used) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, used) for v in value]
    if not isinstance(value, str):
        return value

    def one(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name, op, arg = m.group(1) or m.group(4), m.group(2), m.group(3)
        used.add(name)
        present = name in env and (env[name] != "" or not (op or "").startswith(":"))
        if present:
            return env[name]
        if op and op.endswith("?"):
            raise AssertionError(f"compose needs {name}: {arg}")
        return arg if op else ""

    return _VAR.sub(one, value)


def compose_model() -> tuple[dict[str, Any], set[str]]:
    used: set[str] = set()
    raw = yaml.safe_load(COMPOSE_FILE.read_text())  # resolves anchors and `<<` merges
    model = interpolate(
        {k: v for k, v in raw.items() if not k.startswith("x-")}, env_file(ENV_EXAMPLE), used
    )
    return model, used


def compose_argv(service: dict[str, Any]) -> list[str]:
    entrypoint = service.get("entrypoint") or ["imet"]
    return list(entrypoint) + list(service.get("command") or [])


def compose_cli() -> list[str] | None:
    """`docker compose` when the CLI and its compose plugin answer (no engine needed)."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
    return [docker, "compose"] if probe.returncode == 0 else None


def test_compose_file_is_valid() -> None:
    model, used = compose_model()
    expected = {"postgres", "kafka", "init", "gateway"} | {
        f"{s}-{role}" for s in DOMAIN_SERVICES for role in ("api", "worker")
    }
    assert set(model["services"]) == expected
    defined = set(env_file(ENV_EXAMPLE))
    assert not defined - used, f".env.example defines what compose never reads: {defined - used}"

    cli = compose_cli()
    if cli is not None:  # the real parser too; a minimal environment so the file alone decides
        clean = {
            k: v for k, v in os.environ.items() if k in ("PATH", "HOME") or k.startswith("DOCKER_")
        }
        args = ["-f", str(COMPOSE_FILE), "--env-file", str(ENV_EXAMPLE), "config"]
        result = subprocess.run(
            [*cli, *args, "--services"], capture_output=True, text=True, env=clean, check=False
        )
        assert result.returncode == 0, result.stderr
        assert set(result.stdout.split()) == expected


def test_compose_runs_the_one_image_in_order_with_health_checks() -> None:
    model, _ = compose_model()
    services = model["services"]
    imet = {n: s for n, s in services.items() if n not in ("postgres", "kafka")}
    images = {s["image"] for s in imet.values()}
    assert len(images) == 1, f"one image for every IMET container: {images}"
    builders = [n for n, s in imet.items() if "build" in s]
    assert builders == ["init"], "one service builds the image; the others reuse its name"
    build = imet["init"]["build"]
    assert (DEPLOY / build["context"]).resolve() == ROOT
    assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE.resolve()
    assert services["postgres"]["image"].startswith("postgres:16")
    assert re.match(r"(apache|bitnami)/kafka:", services["kafka"]["image"])
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"

    for name, s in imet.items():
        assert s.get("read_only") is True, name
        assert s.get("cap_drop") == ["ALL"], name
        assert TMP in s.get("tmpfs", []), name
    for name in (
        "postgres",
        "kafka",
        "gateway",
        *(n for n in imet if n.endswith(("-api", "-worker"))),
    ):
        assert services[name]["healthcheck"]["test"], f"{name}: health check"

    def condition(name: str, dep: str) -> str:
        return str(services[name]["depends_on"][dep]["condition"])

    assert condition("init", "postgres") == condition("init", "kafka") == "service_healthy"
    for svc in DOMAIN_SERVICES:
        for role in ("api", "worker"):
            assert condition(f"{svc}-{role}", "init") == "service_completed_successfully"
        assert condition("gateway", f"{svc}-api") == "service_healthy"
    # The gateway's schema is migrated (and its signing key created) by init.
    assert condition("gateway", "init") == "service_completed_successfully"
    assert imet["init"].get("restart") == "no"

    published = [str(p) for p in services["gateway"]["ports"]]
    assert [p.rsplit(":", 1)[-1] for p in published] == ["8000"]
    assert not any("ports" in s for n, s in services.items() if n != "gateway"), "one public port"


def test_compose_environments_load_the_settings_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, _ = compose_model()
    services = model["services"]
    secret_like = re.compile(r"(PASSWORD|_KEY|DATABASE_URL)$")
    gateway_db_urls: dict[str, str] = {}  # process kind -> GATEWAY_DATABASE_URL
    for name, s in services.items():
        if name in ("postgres", "kafka"):
            continue
        env = {k: str(v) for k, v in s["environment"].items()}
        process = process_of(compose_argv(s))
        secrets = {k for k in env if secret_like.search(k)}
        loaded = check_environment(name, process, env, monkeypatch, secret_names=secrets)
        if process.kind == "serve":
            assert name == f"{process.service}-{'api' if process.roles == {'http'} else 'worker'}"
            assert process.roles in ({"http"}, WORKER_ROLES), name
            assert loaded[1].http_port == SERVICE_PORT
            jwks = urlsplit(loaded[0].auth_jwks_url)
            assert (jwks.hostname, jwks.port) == ("gateway", loaded_gateway_port(services)), name
        if process.kind == "gateway":
            for svc in DOMAIN_SERVICES:
                up = urlsplit(getattr(loaded[1], f"{svc}_url"))
                assert (up.hostname, up.port) == (f"{svc}-api", SERVICE_PORT), name
            mounts = {v.split(":")[1]: v for v in s["volumes"]}
            key_dir = str(loaded[1].key_dir)
            assert mounts[key_dir].endswith(":ro"), f"{name}: keys mounted read-only"
            assert loaded[1].database_url is not None, f"{name}: no token endpoint"
            gateway_db_urls["gateway"] = loaded[1].database_url.get_secret_value()
        if process.kind == "deploy":
            gateway_db_urls["deploy"] = env["GATEWAY_DATABASE_URL"]
    # The gateway connects to exactly the role and schema init provisioned.
    assert gateway_db_urls["gateway"] == gateway_db_urls["deploy"]


def test_compose_checks_the_gateway_on_its_unpublished_admin_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, _ = compose_model()
    gateway = model["services"]["gateway"]
    env = {k: str(v) for k, v in gateway["environment"].items()}
    settings = check_environment("gateway", process_of(compose_argv(gateway)), env, monkeypatch,
                                 secret_names=set())[1]  # fmt: skip
    probe = urlsplit(gateway["healthcheck"]["test"][-1])

    assert (probe.hostname, probe.port, probe.path) == ("127.0.0.1", settings.admin_port, "/readyz")
    assert settings.admin_host == "127.0.0.1"  # inside the container only
    published = [str(p).rsplit(":", 1)[-1] for p in gateway["ports"]]
    assert str(settings.admin_port) not in published


def loaded_gateway_port(services: dict[str, Any]) -> int:
    return int(services["gateway"]["environment"]["GATEWAY_PORT"])


# ---- no secrets in the repository -------------------------------------------------------------


def deploy_files() -> list[Path]:
    return [p for p in DEPLOY.rglob("*") if p.is_file()]


@pytest.mark.parametrize("path", deploy_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_real_secret_is_committed(path: Path) -> None:
    text = path.read_text()
    assert "PRIVATE KEY-----" not in text, path
    assert not re.search(r'"d"\s*:\s*"[A-Za-z0-9_-]{20,}"', text), f"{path}: a private JWK"
    if path == ENV_EXAMPLE:
        for name, value in env_file(path).items():
            if re.search(r"(PASSWORD|_KEY)$", name):
                assert value.startswith("change-me"), f"{name} must stay a placeholder"
