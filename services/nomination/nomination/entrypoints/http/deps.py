"""FastAPI dependencies of the nomination API: the runtime, the rule config, the day (who may
do what: `entrypoints/authorization.py`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request

from nomination.adapters.unit_of_work import SqlNominationUnitOfWork
from nomination.entrypoints.clock import today_of
from nomination.service_layer.config import Config
from nomination.settings import NominationSettings
from shared.runtime import ServiceRuntime

Runtime = ServiceRuntime[NominationSettings, SqlNominationUnitOfWork]


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


def get_today(request: Request) -> date:
    """Today by the runtime's clock (the bootstrap's)."""
    return today_of(get_runtime(request))


async def runtime_dependency(request: Request) -> Runtime:
    """The runtime; `async` so FastAPI does not hand every request to a worker thread for it
    (a sync dependency runs in anyio's thread pool, ADR 0120/0155)."""
    return get_runtime(request)


RuntimeDep = Annotated[Runtime, Depends(runtime_dependency)]
ConfigDep = Annotated[Config, Depends(get_config)]
Today = Annotated[date, Depends(get_today)]


def location(prefix: str, *parts: Any) -> str:
    return "/".join([prefix.rstrip("/"), *(str(p) for p in parts)])
