"""Kubernetes (deploy/k8s): every workload runs the one image, hardened, with probes and
resources; every service has its API and worker Deployments, a Service and budgets; network
policies deny by default; each container's environment loads the settings in production."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml

from imet.services import DOMAIN_SERVICES
from tests.contract.deploy_files.k8s import (
    all_k8s_docs,
    argv_of,
    by_kind,
    container_env,
    docs_of,
    egress_ports,
    ingress_sources,
    kustomize_files,
    matches,
    workloads,
)
from tests.contract.deploy_files.settings import (
    IMAGE,
    K8S,
    KUSTOMIZATIONS,
    SECRETS_TEMPLATE,
    SERVICE_PORT,
    TMP,
    WORKER_ROLES,
    Process,
    check_environment,
    process_of,
)


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
