"""HTTP dependencies of the funding service: the runtime, preconditions, the clock (who may do
what is `entrypoints/authorization.py`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from funding.adapters.unit_of_work import SqlFundingUnitOfWork
from funding.domain.calendar import Clock
from funding.service_layer.unit_of_work import Precondition
from shared.http.etag import IfMatch, etag_for
from shared.runtime import ServiceRuntime

FundingRuntime = ServiceRuntime[Any, SqlFundingUnitOfWork]


async def get_runtime(request: Request) -> FundingRuntime:
    """`async` so FastAPI does not run it in a worker thread per request (ADR 0120/0155)."""
    runtime: FundingRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[FundingRuntime, Depends(get_runtime)]


def precondition_for(if_match: IfMatch, resource_id: object) -> Precondition:
    """The use-case precondition of an `If-Match`: 412 unless it names the current version."""

    def check(version: int) -> None:
        if_match.check(etag_for(resource_id, version))

    return check


def clock_of(runtime: FundingRuntime) -> Clock:
    """The bootstrap's clock (`definition.extra["clock"]`): the one place the time is read."""
    clock: Clock = runtime.definition.extra["clock"]
    return clock
