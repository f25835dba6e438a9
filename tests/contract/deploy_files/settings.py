"""What the code reads, and each deployed process's environment checked against it: the
settings classes a command line loads, built from exactly that environment in production."""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic_settings import BaseSettings

from imet.provision import GATEWAY
from imet.services import DOMAIN_SERVICES
from shared.settings import PlatformSettings, ServiceSettings

ROOT = Path(__file__).resolve().parents[3]
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
