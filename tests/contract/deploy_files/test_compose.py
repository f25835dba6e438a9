"""docker compose (deploy/docker-compose.yml, interpolated with deploy/.env.example as compose
does it): the same processes, health checks and start order as Kubernetes. When the
`docker compose` plugin answers, `docker compose config` must accept the file too."""

from __future__ import annotations

import os
import re
import subprocess
from urllib.parse import urlsplit

import pytest

from imet.services import DOMAIN_SERVICES
from tests.contract.deploy_files.compose import (
    compose_argv,
    compose_cli,
    compose_model,
    env_file,
    loaded_gateway_port,
)
from tests.contract.deploy_files.settings import (
    COMPOSE_FILE,
    DEPLOY,
    DOCKERFILE,
    ENV_EXAMPLE,
    ROOT,
    SERVICE_PORT,
    TMP,
    WORKER_ROLES,
    check_environment,
    process_of,
)


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
