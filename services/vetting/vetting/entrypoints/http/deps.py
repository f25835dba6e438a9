"""Dependencies of the vetting routes: runtime, settings, the moment of the request, If-Match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request

from shared.http.etag import IfMatch, etag_for, parse_if_match
from shared.runtime import ServiceRuntime
from vetting.domain.moment import Clock, Moment
from vetting.settings import VettingSettings


def get_runtime(request: Request) -> ServiceRuntime[Any, Any]:
    runtime: ServiceRuntime[Any, Any] = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime[Any, Any], Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> VettingSettings:
    settings: VettingSettings = runtime.settings
    return settings


SettingsDep = Annotated[VettingSettings, Depends(get_settings)]


def clock_of(runtime: ServiceRuntime[Any, Any]) -> Clock:
    """The bootstrap's clock (`definition.extra["clock"]`), for this runtime's settings."""
    make: Callable[[VettingSettings], Clock] = runtime.definition.extra["clock"]
    return make(runtime.settings)


def get_now(runtime: RuntimeDep) -> Moment:
    return clock_of(runtime)()


NowDep = Annotated[Moment, Depends(get_now)]


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
