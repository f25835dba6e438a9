"""`/api/v1/nominations`: create, list, read, edit and submit nominations; their history."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from nomination.adapters import queries
from nomination.entrypoints.authorization import Nominator, Reader
from nomination.entrypoints.http.deps import ConfigDep, RuntimeDep, Today, location
from nomination.entrypoints.http.schemas.nominations import (
    NominationCreate,
    NominationHistory,
    NominationPage,
    NominationPublic,
    NominationUpdate,
)
from nomination.entrypoints.http.views import PREFIX, history_entry, nomination_public
from nomination.service_layer import nominations as use_cases
from shared.contracts.nomination.v1 import NominationState
from shared.contracts.types import CountryCode, FiscalYear, MaslId
from shared.http.etag import IfMatchHeader, set_etag
from shared.http.pagination import PageQuery, paginate

router = APIRouter(prefix=PREFIX, tags=["nominations"])


def screening_values(body: NominationCreate | NominationUpdate) -> dict[str, Any]:
    """The request's fields as columns (a screening record is a date and a reference)."""
    values = body.model_dump(
        exclude_unset=True, exclude={"medical_clearance", "security_screening"}
    )
    for record, prefix in (
        (body.medical_clearance, "medical"),
        (body.security_screening, "security"),
    ):
        if record is not None:
            values[f"{prefix}_{'cleared' if prefix == 'medical' else 'screened'}_on"] = (
                record.recorded_on
            )
            values[f"{prefix}_reference"] = record.reference
    return values


@router.post("", status_code=201, response_model=NominationPublic)
async def create_nomination(
    body: NominationCreate, principal: Nominator, runtime: RuntimeDep, response: Response
) -> NominationPublic:
    """Create a DRAFT nomination of a candidate of the SCO's own country for a class (fiscal
    year, funding source IMET or E-IMET, dependents, screening records). Drafts may be
    incomplete; the rules are checked when submitting. Publishes `nomination.created`."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.create_nomination(uow, principal, screening_values(body))
    response.headers["Location"] = location(PREFIX, row.id)
    set_etag(response, row.id, row.version)
    return nomination_public(row, principal)


@router.get("", response_model=NominationPage)
async def list_nominations(
    principal: Reader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: Annotated[CountryCode | None, Query()] = None,
    fiscal_year: Annotated[FiscalYear | None, Query()] = None,
    status: Annotated[NominationState | None, Query()] = None,
    class_id: Annotated[UUID | None, Query()] = None,
    masl_id: Annotated[MaslId | None, Query()] = None,
    candidate_id: Annotated[UUID | None, Query()] = None,
) -> NominationPage:
    """Nominations, newest first, filtered; an SCO sees only its own country's."""
    stmt = queries.nominations(
        scope_country=principal.country if principal.is_sco_only else None,
        country=country, fiscal_year=fiscal_year, status=status, class_id=class_id,
        masl_id=masl_id, candidate_id=candidate_id,
    )  # fmt: skip
    async with runtime.sessions() as session:
        rows, next_cursor = await paginate(session, stmt, page, queries.NOMINATION_ORDER)
    return NominationPage(
        items=[nomination_public(r, principal) for r in queries.nominations_of(rows)],
        next_cursor=next_cursor,
    )


@router.get("/{nomination_id:uuid}", response_model=NominationPublic)
async def get_nomination(
    nomination_id: UUID, principal: Reader, runtime: RuntimeDep, response: Response
) -> NominationPublic:
    """A nomination: its state and the facts it was decided from (seat, vetting, funding), the
    reason visible to the SCO, compensations after a withdrawal. Another country's SCO: 404."""
    async with runtime.read_connection() as conn:  # one statement, no session (ADR 0155)
        found = await queries.nomination_detail(conn, nomination_id)
    row = use_cases.seen_by(principal, nomination_id, found[0] if found else None)
    set_etag(response, row.id, row.version)
    return nomination_public(row, principal, found[1] if found else None)


@router.patch("/{nomination_id:uuid}", response_model=NominationPublic)
async def update_nomination(
    nomination_id: UUID,
    body: NominationUpdate,
    principal: Nominator,  # before If-Match: authenticate and authorize first (401/403)
    if_match: IfMatchHeader,
    runtime: RuntimeDep,
    today: Today,
    response: Response,
) -> NominationPublic:
    """Edit a nomination (`If-Match` required; 412 when stale). Drafts are freely editable; once
    submitted only the screening records (medical clearance, security screening) can be added;
    server-owned fields such as `status` are never accepted (422)."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.update_nomination(
            uow, principal, nomination_id, if_match, screening_values(body), today
        )
    set_etag(response, row.id, row.version)
    return nomination_public(row, principal)


@router.post("/{nomination_id:uuid}/submit", response_model=NominationPublic)
async def submit_nomination(
    nomination_id: UUID,
    principal: Nominator,
    runtime: RuntimeDep,
    config: ConfigDep,
    today: Today,
    response: Response,
) -> NominationPublic:
    """Submit a draft: validation at the door, every failure listed (422 `nomination-invalid`,
    nothing stored). Candidate data complete; country registered and not under sanctions; class
    known, open (a full class waitlists) and not started; fiscal year = the class's; ECL score >=
    the course minimum and taken within the validity period (105 days by default; countries
    exempt for the fiscal year test on arrival) or TOEFL iBT where the school requires it;
    E-IMET only for a course whose certification (5 years) has not lapsed; no other active
    nomination of the same person for the class. Publishes `nomination.submitted`."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.submit_nomination(uow, principal, nomination_id, config, today)
    set_etag(response, row.id, row.version)
    return nomination_public(row, principal)


@router.get("/{nomination_id:uuid}/history", response_model=NominationHistory)
async def get_nomination_history(
    nomination_id: UUID, principal: Reader, runtime: RuntimeDep
) -> NominationHistory:
    """Every transition (actor, time, reason, causing event id), every fact the process manager
    recorded, its funding requests, the compensations confirmed and the travel orders issued."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.visible_nomination(uow, principal, nomination_id)
        entries = await uow.nominations.history(row.id)
    return NominationHistory(nomination_id=row.id, items=[history_entry(e) for e in entries])
