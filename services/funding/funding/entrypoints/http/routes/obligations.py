"""`/api/v1/funding/obligations` and `/requests`: training lines obligated, funding requests."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from funding.adapters import queries
from funding.domain.errors import ObligationNotFound
from funding.entrypoints.authorization import FundsReader, visible_country
from funding.entrypoints.http.deps import RuntimeDep
from funding.entrypoints.http.schemas.obligations import (
    FundingRequestPage,
    FundingRequestPublic,
    ObligationPage,
    ObligationPublic,
)
from shared.contracts.types import CountryCode, MaslId
from shared.http.etag import not_modified, set_etag
from shared.http.pagination import PageQuery

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
    async with runtime.sessions() as session:
        rows, next_cursor = await queries.list_obligations(
            session, page, country=country, fiscal_year=fiscal_year, status=status,
            nomination_id=nomination_id, class_id=class_id, masl_id=masl_id,
        )  # fmt: skip
    return ObligationPage(
        items=[ObligationPublic.model_validate(r) for r in rows],
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
        row = await queries.get_obligation(session, obligation_id)
    if row is None or not principal.can_see_country(row["country"]):
        raise ObligationNotFound(f"No obligation {obligation_id}.")
    return not_modified(
        request, set_etag(response, obligation_id, row["version"])
    ) or ObligationPublic.model_validate(row)


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
        "pending_program_exception",
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
    `pending_availability` until its fiscal year's funds may be obligated, and as
    `pending_program_exception` outside its country's approved program). Newest first."""
    country, possible = visible_country(principal, country)
    if not possible:
        return FundingRequestPage(items=[], next_cursor=None)
    async with runtime.sessions() as session:
        rows, next_cursor = await queries.list_funding_requests(
            session, page, country=country, fiscal_year=fiscal_year, status=status,
            nomination_id=nomination_id,
        )  # fmt: skip
    return FundingRequestPage(
        items=[FundingRequestPublic.model_validate(r) for r in rows],
        next_cursor=next_cursor,
    )
