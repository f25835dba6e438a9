"""`/api/v1/funding/obligations` and `/requests`: training lines obligated, funding requests."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from funding.adapters.tables import funding_request, obligation
from funding.domain.errors import ObligationNotFound
from funding.entrypoints.http.deps import FundsReader, RuntimeDep, visible_country, where_equal
from funding.entrypoints.http.report_schemas import (
    FundingRequestPage,
    FundingRequestPublic,
    ObligationPage,
    ObligationPublic,
)
from shared.contracts.types import CountryCode, MaslId
from shared.http.etag import not_modified, set_etag
from shared.http.pagination import PageQuery, paginate

router = APIRouter(prefix="/api/v1/funding/obligations", tags=["obligations"])
requests_router = APIRouter(prefix="/api/v1/funding/requests", tags=["requests"])
CountryQuery = Annotated[CountryCode | None, Query(description="ISO 3166-1 alpha-3")]
FiscalYearQuery = Annotated[int | None, Query(ge=1990, le=2100)]


@router.get("", response_model=ObligationPage)
async def list_obligations(
    principal: FundsReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: CountryQuery = None,
    fiscal_year: FiscalYearQuery = None,
    status: Literal["active", "released", "completed", "terminated"] | None = None,
    nomination_id: UUID | None = None,
    class_id: UUID | None = None,
    masl_id: Annotated[MaslId | None, Query()] = None,
) -> ObligationPage:
    """Obligations, newest first, with filters. SCOs see their own country's."""
    country, possible = visible_country(principal, country)
    if not possible:
        return ObligationPage(items=[], next_cursor=None)
    stmt = select(obligation)
    for column, value in (
        (obligation.c.country, country),
        (obligation.c.fiscal_year, fiscal_year),
        (obligation.c.status, status),
        (obligation.c.nomination_id, nomination_id),
        (obligation.c.class_id, class_id),
        (obligation.c.masl_id, masl_id),
    ):
        stmt = where_equal(stmt, column, value)
    async with runtime.sessions() as session:
        rows, next_cursor = await paginate(
            session, stmt, page, [obligation.c.created_at.desc(), obligation.c.id.desc()]
        )
    return ObligationPage(
        items=[ObligationPublic.model_validate(dict(r._mapping)) for r in rows],
        next_cursor=next_cursor,
    )


@router.get("/{obligation_id}", response_model=ObligationPublic)
async def get_obligation(
    obligation_id: UUID,
    principal: FundsReader,
    runtime: RuntimeDep,
    request: Request,
    response: Response,
) -> ObligationPublic | Response:
    """One obligation: its cost breakdown, what is still obligated, charged, returned or lapsed.
    Another country's obligation answers 404 to an SCO."""
    async with runtime.sessions() as session:
        row = (
            await session.execute(select(obligation).where(obligation.c.id == obligation_id))
        ).first()
    if row is None or not principal.can_see_country(row.country):
        raise ObligationNotFound(f"No obligation {obligation_id}.")
    return not_modified(
        request, set_etag(response, obligation_id, row.version)
    ) or ObligationPublic.model_validate(dict(row._mapping))


@requests_router.get("", response_model=FundingRequestPage)
async def list_funding_requests(
    principal: FundsReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: CountryQuery = None,
    fiscal_year: FiscalYearQuery = None,
    status: Literal[
        "pending_reference_data",
        "pending_availability",
        "obligated",
        "rejected",
        "duplicate",
        "withdrawn",
    ]
    | None = None,
    nomination_id: UUID | None = None,
) -> FundingRequestPage:
    """Funding requests received from the nomination service and what became of them (a request
    waits as `pending_reference_data` until funding knows its class and course, and as
    `pending_availability` until its fiscal year's funds may be obligated). Newest first."""
    country, possible = visible_country(principal, country)
    if not possible:
        return FundingRequestPage(items=[], next_cursor=None)
    t = funding_request
    stmt = select(t)
    for column, value in (
        (t.c.country, country),
        (t.c.fiscal_year, fiscal_year),
        (t.c.status, status),
        (t.c.nomination_id, nomination_id),
    ):
        stmt = where_equal(stmt, column, value)
    async with runtime.sessions() as session:
        rows, next_cursor = await paginate(
            session, stmt, page, [t.c.received_at.desc(), t.c.request_id.desc()]
        )
    return FundingRequestPage(
        items=[FundingRequestPublic.model_validate(dict(r._mapping)) for r in rows],
        next_cursor=next_cursor,
    )
