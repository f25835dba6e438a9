"""`/api/v1/nominations/candidates`: the students (personal data: ADR 0005)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from nomination.adapters import queries
from nomination.entrypoints.authorization import CandidateReader, Nominator
from nomination.entrypoints.http.deps import ConfigDep, RuntimeDep, location
from nomination.entrypoints.http.schemas.candidates import (
    CandidateCreate,
    CandidatePage,
    CandidatePublic,
    CandidateUpdate,
)
from nomination.entrypoints.http.views import PREFIX, candidate_public
from nomination.service_layer import candidates as use_cases
from shared.contracts.types import CountryCode
from shared.http.etag import IfMatchHeader, set_etag
from shared.http.pagination import PageQuery, paginate

router = APIRouter(prefix=f"{PREFIX}/candidates", tags=["candidates"])


def _values(body: CandidateCreate | CandidateUpdate) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    if "english_tests" in values:
        values["english_tests"] = [t.model_dump(mode="json") for t in body.english_tests or []]
    return values


@router.post("", status_code=201, response_model=CandidatePublic)
async def create_candidate(
    body: CandidateCreate,
    principal: Nominator,
    runtime: RuntimeDep,
    config: ConfigDep,
    response: Response,
) -> CandidatePublic:
    """Register a candidate of the SCO's own country (admins: any country). Names exactly as on the
    passport; one candidate per passport number and country (409 otherwise). Drafts may be
    incomplete: everything a submission needs is listed in `missing_fields`."""
    values = _values(body)
    values.setdefault("english_tests", [])
    async with runtime.uow(principal) as uow:
        row = await use_cases.create_candidate(uow, principal, values, config.fingerprint_key)
    response.headers["Location"] = location(router.prefix, row.id)
    set_etag(response, row.id, row.version)
    return candidate_public(row, principal)


@router.get("", response_model=CandidatePage)
async def list_candidates(
    principal: CandidateReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: Annotated[CountryCode | None, Query()] = None,
) -> CandidatePage:
    """Candidates, newest first; an SCO sees only its own country's. Personal fields are withheld
    from auditors and funding officers."""
    scope = principal.country if principal.is_sco_only else None
    stmt = queries.candidates(scope_country=scope, country=country)
    async with runtime.sessions() as session:
        rows, next_cursor = await paginate(session, stmt, page, queries.CANDIDATE_ORDER)
    return CandidatePage(
        items=[candidate_public(r, principal) for r in queries.candidates_of(rows)],
        next_cursor=next_cursor,
    )


@router.get("/{candidate_id:uuid}", response_model=CandidatePublic)
async def get_candidate(
    candidate_id: UUID, principal: CandidateReader, runtime: RuntimeDep, response: Response
) -> CandidatePublic:
    """A candidate. Vetters read the person's details here with their own token (ADR 0005); every
    read that returns personal data is audited (`candidate.personal_data_read`). An SCO of
    another country gets 404."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.read_candidate(uow, principal, candidate_id)
    set_etag(response, row.id, row.version)
    return candidate_public(row, principal)


@router.patch("/{candidate_id:uuid}", response_model=CandidatePublic)
async def update_candidate(
    candidate_id: UUID,
    body: CandidateUpdate,
    principal: Nominator,  # before If-Match: authenticate and authorize first (401/403)
    if_match: IfMatchHeader,
    runtime: RuntimeDep,
    config: ConfigDep,
    response: Response,
) -> CandidatePublic:
    """Correct a candidate (`If-Match` required, 412 when stale). The country cannot change.
    Corrections reach the candidate's open nominations (identity fingerprint, completeness).
    A change of a vetted fact - names, date or place of birth, unit, service, rank - sends every
    active nomination back to `vetting` (seat and funds stay held; the travel order is
    recalled) and re-opens the vetting case; new names need the new `passport_number` in the
    same request (422 `name-change-needs-new-passport`). Other fields change without re-vetting."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.update_candidate(
            uow, principal, candidate_id, if_match, _values(body), config.fingerprint_key,
            config.rules,
        )  # fmt: skip
    set_etag(response, row.id, row.version)
    return candidate_public(row, principal)
