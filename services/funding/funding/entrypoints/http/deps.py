"""HTTP dependencies of the funding service: the runtime, who may read or change what, scoping."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from funding.adapters.unit_of_work import SqlFundingUnitOfWork
from funding.domain.calendar import Clock
from funding.service_layer.unit_of_work import Precondition
from shared.auth.principal import Principal, Role
from shared.http.auth import require_roles
from shared.http.etag import IfMatch, etag_for
from shared.runtime import ServiceRuntime

FundingRuntime = ServiceRuntime[Any, SqlFundingUnitOfWork]


def get_runtime(request: Request) -> FundingRuntime:
    runtime: FundingRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[FundingRuntime, Depends(get_runtime)]
# Funding data: funding officers and auditors see everything, an SCO only its own country.
FundsReader = Annotated[
    Principal, Depends(require_roles(Role.FUNDING_OFFICER, Role.AUDITOR, Role.SCO))
]
# Fiscal-year data (appropriations, consistency): not country data, so no SCO.
BudgetReader = Annotated[Principal, Depends(require_roles(Role.FUNDING_OFFICER, Role.AUDITOR))]
FundsWriter = Annotated[Principal, Depends(require_roles(Role.FUNDING_OFFICER))]


def visible_country(principal: Principal, requested: str | None) -> tuple[str | None, bool]:
    """The country filter a list really uses, and whether the list can have rows at all: an
    SCO's lists are limited to its own country, whatever it asked for."""
    if not principal.is_sco_only:
        return requested, True
    if requested is not None and requested != principal.country:
        return requested, False
    return principal.country, principal.country is not None


def precondition_for(if_match: IfMatch, resource_id: object) -> Precondition:
    """The use-case precondition of an `If-Match`: 412 unless it names the current version."""

    def check(version: int) -> None:
        if_match.check(etag_for(resource_id, version))

    return check


def clock_of(runtime: FundingRuntime) -> Clock:
    """The bootstrap's clock (`definition.extra["clock"]`): the one place the time is read."""
    clock: Clock = runtime.definition.extra["clock"]
    return clock
