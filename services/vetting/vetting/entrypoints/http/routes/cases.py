"""`/api/v1/vetting/cases`: the vetting cases, as vetters and auditors see them or as an SCO may."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from shared.http.etag import etag_for, not_modified
from shared.http.pagination import PageQuery
from vetting.adapters import queries
from vetting.domain.errors import CaseNotFound
from vetting.entrypoints.authorization import CaseReader, refuse_flagged_filter, scope_country
from vetting.entrypoints.http.deps import NowDep, RuntimeDep, SettingsDep
from vetting.entrypoints.http.schemas.cases import (
    CaseDetailPublic,
    CasePage,
    CaseStatusPage,
    CaseStatusPublic,
    case_detail,
    case_public,
    case_row,
    case_status,
)
from vetting.entrypoints.http.schemas.common import CaseStatusName, UnitMatchName, problems

router = APIRouter(prefix="/api/v1/vetting/cases", tags=["cases"])
Country = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3")]


@router.get("", response_model=CasePage | CaseStatusPage, responses=problems(400, 422))
async def list_cases(
    principal: CaseReader,
    runtime: RuntimeDep,
    settings: SettingsDep,
    now: NowDep,
    page: PageQuery,
    status: CaseStatusName | None = None,
    country: Country = None,
    overdue: Annotated[
        bool | None, Query(description="Waiting for a result past the due date")
    ] = None,
    flagged: Annotated[bool | None, Query(description="Flagged as a possible duplicate")] = None,
    nomination_id: UUID | None = None,
    candidate_id: UUID | None = None,
    fiscal_year: Annotated[
        int | None, Query(ge=1990, le=2100, description="Opened in this FY")
    ] = None,
    reason_code: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z_]{1,40}$",
            description="Current reason code; `unit_listed`: the registry review queue",
        ),
    ] = None,
    unit_match: Annotated[
        UnitMatchName | None, Query(description="How the case is linked to its unit")
    ] = None,
    registry_entry_id: UUID | None = None,
) -> CasePage | CaseStatusPage:
    """Vetting cases, newest first, with filters. Overdue: open or pending confirmation after
    the due date (opened + the turnaround in working days). Vetters and auditors see the whole
    case; an SCO sees only its own country's cases, and of them only status, reason code and dates.
    """
    scoped, allowed = scope_country(principal, country)
    refuse_flagged_filter(principal, flagged)
    if not allowed:
        return CaseStatusPage(items=[], next_cursor=None)
    filters = queries.CaseFilters(
        status=status,
        country=scoped,
        overdue=overdue,
        flagged=flagged,
        nomination_id=nomination_id,
        candidate_id=candidate_id,
        fiscal_year=fiscal_year,
        reason_code=reason_code,
        unit_match=unit_match,
        registry_entry_id=registry_entry_id,
    )
    async with runtime.sessions() as session:
        rows, next_cursor = await queries.list_cases(session, filters, page, now.on)
    if principal.is_sco_only:
        return CaseStatusPage(items=[case_status(r) for r in rows], next_cursor=next_cursor)
    template = settings.candidate_url_template
    return CasePage(items=[case_public(r, template, now.on) for r in rows], next_cursor=next_cursor)


@router.get(
    "/{case_id}", response_model=CaseDetailPublic | CaseStatusPublic, responses=problems(404, 422)
)
async def get_case(
    case_id: UUID,
    request: Request,
    response: Response,
    principal: CaseReader,
    runtime: RuntimeDep,
    settings: SettingsDep,
    now: NowDep,
) -> CaseDetailPublic | CaseStatusPublic | Response:
    """One case with its append-only decision history, the registry entry that blocks its unit
    now (if any), the cases of other candidates sharing the person fingerprint, and where to read
    the person's details (`candidate_url`, nomination API). An SCO gets status, reason code and
    dates of its own country's cases; another country's case is 404.
    """
    async with runtime.sessions() as session:
        case = await queries.one_case(session, case_id)
        if case is None or not principal.can_see_country(case.country):
            raise CaseNotFound(f"No vetting case {case_id}.")
        # The SCO's view is another representation of the case: another ETag.
        view = f"{case.id}:status" if principal.is_sco_only else case.id
        etag = etag_for(view, case.version)
        cached = not_modified(request, etag)
        if cached is not None:
            return cached
        response.headers["ETag"] = etag
        if principal.is_sco_only:
            return case_status(case_row(case))
        blocked_by = await queries.blocking_entry(session, case)
        duplicates = await queries.possible_duplicates(
            session, case.person_fingerprint, case.candidate_id
        )
    return case_detail(
        case,
        settings.candidate_url_template,
        now.on,
        unit_blocked_by=blocked_by,
        possible_duplicates=duplicates,
    )
