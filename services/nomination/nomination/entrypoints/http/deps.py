"""FastAPI dependencies of the nomination API: the runtime, the rule config, who may do what."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request

from nomination.service_layer.changes import today
from nomination.service_layer.config import Config
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from nomination.settings import NominationSettings
from shared.auth.principal import Principal, Role
from shared.http.auth import require_roles
from shared.runtime import ServiceRuntime

Runtime = ServiceRuntime[NominationSettings, NominationUnitOfWork]


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_config(request: Request) -> Config:
    runtime = get_runtime(request)
    config: Config | None = runtime.state.get("config")
    if config is None:
        config = runtime.settings.config()
        runtime.state["config"] = config
    return config


def get_today() -> date:
    return today()


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ConfigDep = Annotated[Config, Depends(get_config)]
Today = Annotated[date, Depends(get_today)]

# Admins pass every role check (shared.http.auth.require_roles).
Reader = Annotated[
    Principal,
    Depends(
        require_roles(
            Role.SCO, Role.VETTER, Role.FUNDING_OFFICER, Role.AUDITOR, Role.CATALOG_MANAGER
        )
    ),
]
CandidateReader = Annotated[
    Principal, Depends(require_roles(Role.SCO, Role.VETTER, Role.FUNDING_OFFICER, Role.AUDITOR))
]
Nominator = Annotated[Principal, Depends(require_roles(Role.SCO))]
FundingRetrier = Annotated[Principal, Depends(require_roles(Role.SCO, Role.FUNDING_OFFICER))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


def location(prefix: str, *parts: Any) -> str:
    return "/".join([prefix.rstrip("/"), *(str(p) for p in parts)])
