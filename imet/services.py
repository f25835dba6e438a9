"""Where each service's definition lives (imported lazily: a process loads only what it runs)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from shared.runtime import ServiceDefinition

SERVICE_MODULES = {
    "catalog": "catalog.bootstrap:definition",
    "nomination": "nomination.bootstrap:definition",
    "vetting": "vetting.bootstrap:definition",
    "funding": "funding.bootstrap:definition",
    "reporting": "reporting.bootstrap:definition",
}
DOMAIN_SERVICES = tuple(SERVICE_MODULES)
HTTP_PORTS = {
    "gateway": 8000,
    "gateway_admin": 9000,  # the gateway's readiness and metrics (never the public door)
    "catalog": 8001,
    "nomination": 8002,
    "vetting": 8003,
    "funding": 8004,
    "reporting": 8005,
}


def _extra() -> dict[str, str]:
    """IMET_EXTRA_SERVICES="name=module:attr,..." (tests register their probe service this way)."""
    raw = os.environ.get("IMET_EXTRA_SERVICES", "")
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {name.strip(): target.strip() for name, target in pairs}


def definition(name: str) -> ServiceDefinition[Any, Any]:
    target = {**SERVICE_MODULES, **_extra()}.get(name)
    if target is None:
        raise KeyError(f"unknown service {name!r}; known: {', '.join(SERVICE_MODULES)}")
    module_name, attr = target.split(":")
    found = getattr(importlib.import_module(module_name), attr)
    if not isinstance(found, ServiceDefinition):
        raise TypeError(f"{target} is not a ServiceDefinition")
    return found


def migrations_dir(name: str) -> Path:
    """The Alembic environment of a provisioned schema: a service's, or the gateway's own."""
    if name == "gateway":
        from gateway.clients.store import MIGRATIONS_DIR

        return MIGRATIONS_DIR
    return definition(name).migrations_dir
