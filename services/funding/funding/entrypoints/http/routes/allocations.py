"""`/api/v1/funding/allocations`: country allocations (ceilings) per fiscal year, reprogramming."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from funding.adapters import queries
from funding.domain.errors import AllocationNotFound
from funding.entrypoints.authorization import FundsReader, FundsWriter, visible_country
from funding.entrypoints.http.deps import RuntimeDep, precondition_for
from funding.entrypoints.http.schemas.allocations import (
    AllocationChangePage,
    AllocationChangePublic,
    AllocationCreate,
    AllocationPage,
    AllocationPublic,
    AllocationUpdate,
)
from funding.service_layer import funds
from shared.auth.principal import Principal
from shared.contracts.types import CountryCode
from shared.http.etag import IfMatchHeader, not_modified, set_etag
from shared.http.pagination import PageQuery

router = APIRouter(prefix="/api/v1/funding/allocations", tags=["allocations"])
CountryQuery = Annotated[CountryCode | None, Query(description="ISO 3166-1 alpha-3")]
FiscalYearQuery = Annotated[int | None, Query(ge=1990, le=2100)]


async def _visible(
    session: Any, principal: Principal, allocation_id: UUID
) -> tuple[AllocationPublic, int]:
    """The allocation as the caller may see it: another country's answers 404 to an SCO."""
    row = await queries.get_allocation(session, allocation_id)
    if row is None or not principal.can_see_country(row["country"]):
        raise AllocationNotFound(f"No allocation {allocation_id}.")
    return AllocationPublic.model_validate(row), row["version"]


@router.post("", status_code=201, response_model=AllocationPublic)
async def create_allocation(
    body: AllocationCreate, principal: FundsWriter, runtime: RuntimeDep, response: Response
) -> AllocationPublic:
    """Set a country's allocation (ceiling) for a fiscal year. All of a fiscal year's
    allocations together never exceed its appropriation, also under concurrent requests
    (409 `allocations-exceed-appropriation`); one allocation per country and year (409)."""
    async with runtime.uow(principal) as uow:
        record = await funds.set_allocation(
            uow, body.country, body.fiscal_year, body.amount, body.reason,
            reason_code=body.reason_code,
        )  # fmt: skip
    async with runtime.sessions() as session:
        public, version = await _visible(session, principal, record.id)
    response.headers["Location"] = f"{router.prefix}/{record.id}"
    set_etag(response, record.id, version)
    return public


@router.patch("/{allocation_id}", response_model=AllocationPublic)
async def change_allocation(
    allocation_id: UUID,
    body: AllocationUpdate,
    principal: FundsWriter,
    runtime: RuntimeDep,
    if_match: IfMatchHeader,
    response: Response,
) -> AllocationPublic:
    """Reprogram an allocation (reason and actor are recorded). An increase must fit the
    unallocated appropriation; a decrease never goes below what is already obligated, charged
    or lapsed against it (409 `allocation-below-obligated`). Needs If-Match."""
    async with runtime.uow(principal) as uow:
        await funds.change_allocation(
            uow, allocation_id, body.amount, body.reason, precondition_for(if_match, allocation_id),
            reason_code=body.reason_code,
        )  # fmt: skip
    async with runtime.sessions() as session:
        public, version = await _visible(session, principal, allocation_id)
    set_etag(response, allocation_id, version)
    return public


@router.get("/{allocation_id}", response_model=AllocationPublic)
async def get_allocation(
    allocation_id: UUID,
    principal: FundsReader,
    runtime: RuntimeDep,
    request: Request,
    response: Response,
) -> AllocationPublic | Response:
    """One allocation (balances: `/balances/{country}/{fiscal_year}`). SCOs: own country only."""
    async with runtime.sessions() as session:
        public, version = await _visible(session, principal, allocation_id)
    return not_modified(request, set_etag(response, allocation_id, version)) or public


@router.get("", response_model=AllocationPage)
async def list_allocations(
    principal: FundsReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: CountryQuery = None,
    fiscal_year: FiscalYearQuery = None,
) -> AllocationPage:
    """Allocations, newest fiscal year first, then by country. SCOs see their own country's."""
    country, possible = visible_country(principal, country)
    if not possible:
        return AllocationPage(items=[], next_cursor=None)
    async with runtime.sessions() as session:
        rows, next_cursor = await queries.list_allocations(
            session, page, country=country, fiscal_year=fiscal_year
        )
    return AllocationPage(
        items=[AllocationPublic.model_validate(r) for r in rows],
        next_cursor=next_cursor,
    )


@router.get("/{allocation_id}/changes", response_model=AllocationChangePage)
async def list_allocation_changes(
    allocation_id: UUID, principal: FundsReader, runtime: RuntimeDep, page: PageQuery
) -> AllocationChangePage:
    """The allocation's history: every amount it had, why, and who set it (oldest first)."""
    async with runtime.sessions() as session:
        await _visible(session, principal, allocation_id)
        rows, next_cursor = await queries.list_allocation_changes(session, allocation_id, page)
    return AllocationChangePage(
        items=[AllocationChangePublic.model_validate(r) for r in rows],
        next_cursor=next_cursor,
    )
