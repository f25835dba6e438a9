"""`/api/v1/funding/appropriations`: Congress's IMET appropriation per fiscal year."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.tables import allocation, appropriation, tranche
from funding.domain.allocation import TrancheSpec
from funding.domain.errors import AppropriationNotFound
from funding.entrypoints.http.deps import BudgetReader, FundsWriter, RuntimeDep, precondition_for
from funding.entrypoints.http.schemas import (
    AppropriationPage,
    AppropriationPublic,
    AppropriationSet,
    AvailabilityAdvance,
    TranchePublic,
)
from funding.service_layer import availability, funds
from shared.http.etag import not_modified, parse_if_match, set_etag
from shared.http.pagination import PageQuery, paginate

router = APIRouter(prefix="/api/v1/funding/appropriations", tags=["appropriations"])


def utc_today() -> date:
    return datetime.now(UTC).date()


FiscalYearPath = Annotated[int, Path(ge=1990, le=2100, description="Fiscal year, e.g. 2026")]


async def _public(session: AsyncSession, fiscal_year: int) -> tuple[AppropriationPublic, int]:
    row = (
        await session.execute(
            select(appropriation).where(appropriation.c.fiscal_year == fiscal_year)
        )
    ).first()
    if row is None:
        raise AppropriationNotFound(f"FY{fiscal_year} has no appropriation.")
    allocated = (
        await session.execute(
            select(func.coalesce(func.sum(allocation.c.amount), 0)).where(
                allocation.c.fiscal_year == fiscal_year
            )
        )
    ).scalar_one()
    parts = (
        await session.execute(
            select(tranche)
            .where(tranche.c.fiscal_year == fiscal_year)
            .order_by(tranche.c.available_until)
        )
    ).all()
    public = AppropriationPublic(
        fiscal_year=fiscal_year,
        amount=row.amount,
        allocated=allocated,
        unallocated=row.amount - allocated,
        tranches=[TranchePublic(amount=t.amount, available_until=t.available_until) for t in parts],
        available_from=row.available_from,
        availability_reason=row.availability_reason,
        availability_set_by=row.availability_set_by,
        availability_set_at=row.availability_set_at,
    )
    return public, row.version


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
            uow, fiscal_year, body.available_from, body.reason, precondition, utc_today()
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
    stmt = select(appropriation.c.fiscal_year)
    if fiscal_year is not None:
        stmt = stmt.where(appropriation.c.fiscal_year == fiscal_year)
    async with runtime.sessions() as session:
        rows, next_cursor = await paginate(
            session, stmt, page, [appropriation.c.fiscal_year.desc()]
        )
        items = [(await _public(session, r.fiscal_year))[0] for r in rows]
    return AppropriationPage(items=items, next_cursor=next_cursor)
