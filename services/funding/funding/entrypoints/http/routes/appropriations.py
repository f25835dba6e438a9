"""`/api/v1/funding/appropriations`: Congress's IMET appropriation per fiscal year."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from funding.adapters import queries
from funding.domain.allocation import TrancheSpec
from funding.domain.errors import AppropriationNotFound
from funding.entrypoints.authorization import BudgetReader, FundsWriter
from funding.entrypoints.http.deps import RuntimeDep, clock_of, precondition_for
from funding.entrypoints.http.schemas.appropriations import (
    AppropriationPage,
    AppropriationPublic,
    AppropriationSet,
    AvailabilityAdvance,
    TranchePublic,
)
from funding.service_layer import availability, funds
from shared.http.etag import not_modified, parse_if_match, set_etag
from shared.http.pagination import PageQuery

router = APIRouter(prefix="/api/v1/funding/appropriations", tags=["appropriations"])


FiscalYearPath = Annotated[int, Path(ge=1990, le=2100, description="Fiscal year, e.g. 2026")]


async def _public(session: Any, fiscal_year: int) -> tuple[AppropriationPublic, int]:
    found = await queries.get_appropriation(session, fiscal_year)
    if found is None:
        raise AppropriationNotFound(f"FY{fiscal_year} has no appropriation.")
    return _shape(found), found.version


def _shape(found: queries.AppropriationView) -> AppropriationPublic:
    return AppropriationPublic(
        fiscal_year=found.fiscal_year,
        amount=found.amount,
        allocated=found.allocated,
        unallocated=found.unallocated,
        tranches=[TranchePublic(amount=a, available_until=u) for a, u in found.tranches],
        available_from=found.available_from,
        availability_reason=found.availability_reason,
        availability_set_by=found.availability_set_by,
        availability_set_at=found.availability_set_at,
    )


@router.put(
    "/{fiscal_year}",
    response_model=AppropriationPublic,
    responses={201: {"description": "Created"}},
)
async def set_appropriation(
    fiscal_year: FiscalYearPath,
    body: AppropriationSet,
    principal: FundsWriter,
    runtime: RuntimeDep,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> AppropriationPublic:
    """Record or change Congress's IMET appropriation for a fiscal year and its tranches (each
    with the last day it may be obligated). Tranches add up to the amount; the appropriation
    never drops below the allocations made from it, nor a tranche below what was drawn from it.
    Creating needs no If-Match; changing needs the ETag of the version read (428/412)."""
    precondition = (
        None if if_match is None else precondition_for(parse_if_match(if_match), fiscal_year)
    )
    specs = [TrancheSpec(t.amount, t.available_until) for t in body.tranches]
    async with runtime.uow(principal) as uow:
        _, created = await funds.set_appropriation(
            uow, fiscal_year, body.amount, specs, precondition
        )
    async with runtime.sessions() as session:
        public, version = await _public(session, fiscal_year)
    if created:
        response.status_code = 201
        response.headers["Location"] = f"{router.prefix}/{fiscal_year}"
    set_etag(response, fiscal_year, version)
    return public


@router.post("/{fiscal_year}/advance-availability", response_model=AppropriationPublic)
async def advance_availability(
    fiscal_year: FiscalYearPath,
    body: AvailabilityAdvance,
    principal: FundsWriter,
    runtime: RuntimeDep,
    response: Response,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> AppropriationPublic:
    """Record advance availability (funding officers; `If-Match` with the appropriation's ETag,
    a reason). By default a fiscal year's funds may be obligated from its first day (1 October)
    and a funding request that comes earlier waits (`pending_availability`, nothing obligated);
    this brings that day forward. Waiting requests that the new day makes possible are decided
    at once. Audited; published as `funding.appropriation_set` with `available_from`."""
    precondition = (
        None if if_match is None else precondition_for(parse_if_match(if_match), fiscal_year)
    )
    async with runtime.uow(principal) as uow:
        await availability.advance_availability(
            uow,
            fiscal_year,
            body.available_from,
            body.reason,
            precondition,
            clock_of(runtime)().date(),
        )
    async with runtime.sessions() as session:
        public, version = await _public(session, fiscal_year)
    set_etag(response, fiscal_year, version)
    return public


@router.get("/{fiscal_year}", response_model=AppropriationPublic)
async def get_appropriation(
    fiscal_year: FiscalYearPath,
    principal: BudgetReader,
    runtime: RuntimeDep,
    request: Request,
    response: Response,
) -> AppropriationPublic | Response:
    """A fiscal year's appropriation, its tranches, and how much of it is allocated to countries."""
    async with runtime.sessions() as session:
        public, version = await _public(session, fiscal_year)
    cached = not_modified(request, set_etag(response, fiscal_year, version))
    return cached or public


@router.get("", response_model=AppropriationPage)
async def list_appropriations(
    principal: BudgetReader,
    runtime: RuntimeDep,
    page: PageQuery,
    fiscal_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> AppropriationPage:
    """Appropriations, newest fiscal year first."""
    async with runtime.sessions() as session:
        found, next_cursor = await queries.list_appropriations(session, page, fiscal_year)
    return AppropriationPage(items=[_shape(f) for f in found], next_cursor=next_cursor)
