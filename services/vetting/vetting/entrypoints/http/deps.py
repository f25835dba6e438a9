"""Dependencies of the vetting routes: runtime, settings, who may do what, optional If-Match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request

from shared.auth.principal import Principal, Role
from shared.http.auth import require_roles
from shared.http.etag import IfMatch, etag_for, parse_if_match
from shared.runtime import ServiceRuntime
from vetting.adapters.clock import clock_now
from vetting.domain.case import Clock
from vetting.settings import VettingSettings


def get_runtime(request: Request) -> ServiceRuntime[Any, Any]:
    runtime: ServiceRuntime[Any, Any] = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime[Any, Any], Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> VettingSettings:
    settings: VettingSettings = runtime.settings
    return settings


SettingsDep = Annotated[VettingSettings, Depends(get_settings)]


def get_clock(settings: SettingsDep) -> Clock:
    return clock_now(settings.timezone)


ClockDep = Annotated[Clock, Depends(get_clock)]

# Vetters and admins decide and keep the registry; auditors read everything; an SCO reads the
# status of its own country's cases only.
Vetter = Annotated[Principal, Depends(require_roles(Role.VETTER))]
CaseReader = Annotated[Principal, Depends(require_roles(Role.VETTER, Role.AUDITOR, Role.SCO))]
FullReader = Annotated[Principal, Depends(require_roles(Role.VETTER, Role.AUDITOR))]


def optional_if_match(request: Request) -> IfMatch | None:
    """An If-Match header, when the client sent one (400 when malformed)."""
    header = request.headers.get("if-match")
    return None if header is None else parse_if_match(header)


OptionalIfMatch = Annotated[IfMatch | None, Depends(optional_if_match)]


def version_check(if_match: IfMatch | None) -> Callable[[UUID, int], None] | None:
    """A check of the version read under the row lock against the client's If-Match (412)."""
    if if_match is None:
        return None

    def check(resource_id: UUID, version: int) -> None:
        if_match.check(etag_for(resource_id, version))

    return check
