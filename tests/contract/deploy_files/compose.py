"""Reading deploy/docker-compose.yml as compose does: interpolated with deploy/.env.example."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.contract.deploy_files.settings import COMPOSE_FILE, ENV_EXAMPLE


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


def loaded_gateway_port(services: dict[str, Any]) -> int:
    return int(services["gateway"]["environment"]["GATEWAY_PORT"])
