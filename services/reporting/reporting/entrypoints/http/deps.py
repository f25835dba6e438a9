"""Dependencies of the reporting routes: the runtime, its settings, the moment of the request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from reporting.settings import ReportingSettings
from shared.runtime import ServiceRuntime


def get_runtime(request: Request) -> ServiceRuntime[Any, Any]:
    runtime: ServiceRuntime[Any, Any] = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime[Any, Any], Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> ReportingSettings:
    settings: ReportingSettings = runtime.settings
    return settings


SettingsDep = Annotated[ReportingSettings, Depends(get_settings)]


def get_now(runtime: RuntimeDep) -> datetime:
    """The bootstrap's clock (`definition.extra["clock"]`)."""
    clock: Callable[[], datetime] = runtime.definition.extra["clock"]
    return clock()


NowDep = Annotated[datetime, Depends(get_now)]
