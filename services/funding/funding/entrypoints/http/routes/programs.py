"""`/api/v1/funding/programs`: country training programs (ADR 0115), their planning checks as
the gate on approval, program vs execution; `/requests/{id}/program-exception` (ADR 0116) and
`/year-end-runs` (ADR 0117)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from funding.adapters import queries
from funding.domain.errors import ProgramNotFound
from funding.domain.program import Priority
from funding.entrypoints.authorization import FundsReader, FundsWriter, visible_country
from funding.entrypoints.http.deps import RuntimeDep, clock_of
from funding.entrypoints.http.schemas.obligations import FundingRequestPublic
from funding.entrypoints.http.schemas.programs import (
    LineCreate,
    LinePublic,
    LineUpdate,
    ProgramCreate,
    ProgramException,
    ProgramExecution,
    ProgramPage,
    ProgramPublic,
    ProgramSummary,
    YearEndRunCreate,
    YearEndRunPublic,
)
from funding.service_layer import obligate, programs, year_end
from shared.auth.principal import Principal, Role
from shared.contracts.types import CountryCode
from shared.errors import Forbidden
from shared.http.auth import require_roles
from shared.http.pagination import PageQuery

router = APIRouter(prefix="/api/v1/funding/programs", tags=["programs"])
exceptions_router = APIRouter(prefix="/api/v1/funding/requests", tags=["requests"])
year_end_router = APIRouter(prefix="/api/v1/funding/year-end-runs", tags=["programs"])
# SCOs draft their own country's program; funding officers may draft any (and approve).
ProgramDrafter = Annotated[Principal, Depends(require_roles(Role.SCO, Role.FUNDING_OFFICER))]


def _spec(body: LineCreate) -> programs.LineSpec:
    return programs.LineSpec(
        body.masl_id, body.quantity, Priority(body.priority), body.work_control_number,
        body.funding_source,
    )  # fmt: skip


async def _visible(runtime: Any, principal: Principal, program_id: UUID) -> ProgramPublic:
    """The program as the caller may see it: another country's answers 404 to an SCO."""
    async with runtime.sessions() as session:
        row = await queries.get_program(session, program_id)
    if row is None or not principal.can_see_country(row["country"]):
        raise ProgramNotFound(f"No program {program_id}.")
    return ProgramPublic.model_validate(row)


@router.post("", status_code=201, response_model=ProgramPublic)
async def draft_program(
    body: ProgramCreate, principal: ProgramDrafter, runtime: RuntimeDep, response: Response
) -> ProgramPublic:
    """Draft a country's training program for a fiscal year (status `planned`): each line is
    costed with the current rates (tuition for the class's fiscal year + travel + TLA +
    incidentals, per student). SCOs: own country only (403). One per country and year (409)."""
    if not principal.can_see_country(body.country):
        raise Forbidden("An SCO drafts its own country's program only.")
    async with runtime.uow(principal) as uow:
        program = await programs.draft_program(
            uow, body.country, body.fiscal_year, [_spec(ln) for ln in body.lines],
            clock_of(runtime)(),
        )  # fmt: skip
    response.headers["Location"] = f"{router.prefix}/{program.id}"
    return await _visible(runtime, principal, program.id)


@router.get("", response_model=ProgramPage)
async def list_programs(
    principal: FundsReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: Annotated[CountryCode | None, Query()] = None,
    fiscal_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> ProgramPage:
    """Programs, newest fiscal year first. SCOs see their own country's."""
    country, possible = visible_country(principal, country)
    if not possible:
        return ProgramPage(items=[], next_cursor=None)
    async with runtime.sessions() as session:
        rows, next_cursor = await queries.list_programs(
            session, page, country=country, fiscal_year=fiscal_year
        )
    return ProgramPage(
        items=[ProgramSummary.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.get("/{program_id}", response_model=ProgramPublic)
async def get_program(
    program_id: UUID, principal: FundsReader, runtime: RuntimeDep
) -> ProgramPublic:
    """A program with its lines and totals (approved total, PME, priority A) and the ceiling."""
    return await _visible(runtime, principal, program_id)


@router.post("/{program_id}/lines", status_code=201, response_model=LinePublic)
async def add_line(
    program_id: UUID, body: LineCreate, principal: ProgramDrafter, runtime: RuntimeDep
) -> LinePublic:
    """Add a costed line to a planned program (409 once approved; 409 on a work-control
    number the program has)."""
    await _visible(runtime, principal, program_id)
    async with runtime.uow(principal) as uow:
        line = await programs.add_line(uow, program_id, _spec(body), clock_of(runtime)())
    found = await _visible(runtime, principal, program_id)
    return next(ln for ln in found.lines if ln.id == line.id)


@router.patch("/{program_id}/lines/{line_id}", response_model=LinePublic)
async def change_line(
    program_id: UUID,
    line_id: UUID,
    body: LineUpdate,
    principal: ProgramDrafter,
    runtime: RuntimeDep,
) -> LinePublic:
    """Change a planned program's line (quantity, priority; it is costed again) or cancel a
    line (`status: cancelled`; also once approved: its unfilled students are not expected)."""
    await _visible(runtime, principal, program_id)
    async with runtime.uow(principal) as uow:
        await programs.change_line(
            uow, program_id, line_id, quantity=body.quantity,
            priority=Priority(body.priority) if body.priority else None,
            cancel=body.status == "cancelled", now=clock_of(runtime)(),
        )  # fmt: skip
    found = await _visible(runtime, principal, program_id)
    return next(ln for ln in found.lines if ln.id == line_id)


@router.post(
    "/{program_id}/approve",
    response_model=ProgramPublic,
    responses={422: {"description": "program-checks-failed: `checks` lists each failed check"}},
)
async def approve_program(
    program_id: UUID, principal: FundsWriter, runtime: RuntimeDep
) -> ProgramPublic:
    """Approve a program through the planning checks: PME share >= `pme_minimum_percent` of
    the ceiling, priority-A total <= `priority_a_maximum_percent` of it, no D line in the
    approved total, every line costed with the current rates (re-costed now). A failing
    program is refused with 422 `program-checks-failed`, each failed check with its value and
    threshold. Approved A and B lines take nominations; D lines stay deferred."""
    async with runtime.uow(principal) as uow:
        await programs.approve_program(uow, program_id, clock_of(runtime)())
    return await _visible(runtime, principal, program_id)


@router.get("/{program_id}/execution", response_model=ProgramExecution)
async def program_execution(
    program_id: UUID, principal: FundsReader, runtime: RuntimeDep
) -> ProgramExecution:
    """Program vs execution: per line, planned (quantity, estimated cost) against filled and
    obligated, and the difference between estimate and actual."""
    await _visible(runtime, principal, program_id)
    async with runtime.sessions() as session:
        report = await queries.program_execution(session, program_id)
    if report is None:
        raise ProgramNotFound(f"No program {program_id}.")
    return ProgramExecution.model_validate(report)


@exceptions_router.post("/{request_id}/program-exception", response_model=FundingRequestPublic)
async def approve_program_exception(
    request_id: UUID, body: ProgramException, principal: FundsWriter, runtime: RuntimeDep
) -> FundingRequestPublic:
    """Let a request held outside its country's approved program (no open line of its course,
    or the line is full: `pending_program_exception`) be decided: recorded with who and why,
    audited; the request is then obligated, or rejected, as any other (409 when not held)."""
    async with runtime.uow(principal) as uow:
        await obligate.approve_exception(uow, request_id, body.reason, clock_of(runtime)().date())
    async with runtime.sessions() as session:
        row = await queries.get_funding_request(session, request_id)
    return FundingRequestPublic.model_validate(row)


@year_end_router.post("", status_code=201, response_model=YearEndRunPublic)
async def run_year_end(
    body: YearEndRunCreate, principal: FundsWriter, runtime: RuntimeDep
) -> YearEndRunPublic:
    """Year-end pull-back and redistribution (dry run first: `dry_run: true` changes nothing).
    Per country with an approved program: unused = allocation - obligations - lines still
    expected to obligate; it is pulled back (allocation history: the reason and the numbers)
    and given to other countries' priority-B PME / E-IMET lines, within what they still need.
    Each step is an event; the ledger and the consistency check stay exact."""
    async with runtime.uow(principal) as uow:
        result = await year_end.run_year_end(
            uow, body.fiscal_year, dry_run=body.dry_run, reason=body.reason,
            countries=body.countries,
        )  # fmt: skip
    return YearEndRunPublic.model_validate(result.view())
