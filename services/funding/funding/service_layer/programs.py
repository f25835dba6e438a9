"""Use cases on country programs (ADR 0115): an SCO drafts its country's program, lines are
costed with the real cost model, a funding officer approves it through the planning checks.

Lock order: appropriation -> allocation -> program -> program line -> obligation -> tranches.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from funding.domain import events
from funding.domain.errors import (
    ProgramApproved,
    ProgramChecksFailed,
    ProgramExists,
    ProgramLineNotFound,
    ProgramNotFound,
    WorkControlNumberTaken,
)
from funding.domain.money import ZERO
from funding.domain.obligation import RejectionReason
from funding.domain.planning import PME_MINIMUM_PERCENT
from funding.domain.program import (
    PRIORITY_A_MAXIMUM_PERCENT,
    CountryProgram,
    LineCost,
    LineStatus,
    Priority,
    ProgramLine,
    ProgramStatus,
    Thresholds,
    failed,
    planning_checks,
)
from funding.service_layer.costing import cost_line
from funding.service_layer.unit_of_work import FundingUnitOfWork


@dataclass(frozen=True)
class LineSpec:
    masl_id: str
    quantity: int
    priority: Priority
    work_control_number: str
    funding_source: str = "imet"


def _view(program: CountryProgram) -> dict[str, Any]:
    return {
        "country": program.country,
        "fiscal_year": program.fiscal_year,
        "status": program.status.value,
        "approved_total": str(program.approved_total),
        "lines": [_line_view(ln) for ln in program.lines],
    }


def _line_view(line: ProgramLine) -> dict[str, Any]:
    return {
        "id": str(line.id),
        "masl_id": line.masl_id,
        "quantity": line.quantity,
        "priority": line.priority.value,
        "work_control_number": line.work_control_number,
        "status": line.status.value,
        "estimated_cost": str(line.estimated_cost),
    }


async def cost_program_line(
    uow: FundingUnitOfWork, line: ProgramLine, country: str, fiscal_year: int, now: datetime
) -> None:
    """One student's cost from the current rates (tuition for the class's fiscal year + travel
    for the country + TLA + incidentals x course days, on the course's first known class of the
    fiscal year), or the reason it cannot be costed (`class_unknown`, `no_tuition_rate`)."""
    class_id = await uow.catalog.first_class(line.masl_id, fiscal_year)
    costed = (
        RejectionReason.CLASS_UNKNOWN
        if class_id is None
        else await cost_line(uow, class_id, country, with_dependents=False)
    )
    if isinstance(costed, RejectionReason):
        line.cost, line.cost_problem = None, costed.value
        return
    est = costed.estimate
    line.cost = LineCost(est.tuition, est.travel, est.living_allowance)
    line.category = costed.reference.category
    line.cost_problem, line.costed_at = None, now


async def draft_program(
    uow: FundingUnitOfWork, country: str, fiscal_year: int, specs: list[LineSpec], now: datetime
) -> CountryProgram:
    """A new program (planned) with its lines, each costed; one per country and year."""
    program = CountryProgram(uuid.uuid4(), country, fiscal_year)
    if len({s.work_control_number for s in specs}) != len(specs):
        raise WorkControlNumberTaken("Two lines cannot share a work-control number.")
    for spec in specs:
        line = _new_line(program.id, spec)
        await cost_program_line(uow, line, country, fiscal_year, now)
        program.lines.append(line)
    try:
        await uow.programs.add(program, uow.actor.subject)
    except KeyError:
        raise ProgramExists(f"{country} already has a program for FY{fiscal_year}.") from None
    uow.audit("program.drafted", "country_program", str(program.id), after=_view(program))
    await uow.commit()
    return program


def _new_line(program_id: uuid.UUID, spec: LineSpec) -> ProgramLine:
    return ProgramLine(
        id=uuid.uuid4(),
        program_id=program_id,
        masl_id=spec.masl_id,
        quantity=spec.quantity,
        priority=spec.priority,
        work_control_number=spec.work_control_number,
        funding_source=spec.funding_source,
    )


async def _program(uow: FundingUnitOfWork, program_id: uuid.UUID) -> CountryProgram:
    program = await uow.programs.get(program_id, lock=True)
    if program is None:
        raise ProgramNotFound(f"No program {program_id}.")
    return program


async def add_line(
    uow: FundingUnitOfWork, program_id: uuid.UUID, spec: LineSpec, now: datetime
) -> ProgramLine:
    """Add a costed line to a planned program."""
    program = await _program(uow, program_id)
    if program.status is ProgramStatus.APPROVED:
        raise ProgramApproved("The program is approved: lines can no longer be added.")
    line = _new_line(program.id, spec)
    await cost_program_line(uow, line, program.country, program.fiscal_year, now)
    try:
        await uow.programs.add_line(line)
    except KeyError:
        raise WorkControlNumberTaken(
            f"The program has a line {spec.work_control_number} already."
        ) from None
    uow.audit("program.line_added", "program_line", str(line.id), after=_line_view(line))
    await uow.commit()
    return line


async def change_line(
    uow: FundingUnitOfWork,
    program_id: uuid.UUID,
    line_id: uuid.UUID,
    *,
    quantity: int | None,
    priority: Priority | None,
    cancel: bool,
    now: datetime,
) -> ProgramLine:
    """Change a planned program's line (quantity, priority), or cancel a line at any time (its
    unfilled students are no longer expected to obligate)."""
    program = await _program(uow, program_id)
    line = next((ln for ln in program.lines if ln.id == line_id), None)
    if line is None:
        raise ProgramLineNotFound(f"No line {line_id} in program {program_id}.")
    before = _line_view(line)
    if (quantity is not None or priority is not None) and (
        program.status is ProgramStatus.APPROVED
    ):
        raise ProgramApproved("The program is approved: its lines can only be cancelled.")
    if quantity is not None:
        line.quantity = quantity
    if priority is not None:
        line.priority = priority
    if cancel:
        line.status = LineStatus.CANCELLED
    await cost_program_line(uow, line, program.country, program.fiscal_year, now)
    await uow.programs.save_line(line)
    uow.audit(
        "program.line_changed", "program_line", str(line.id), before=before, after=_line_view(line)
    )
    await uow.commit()
    return line


async def thresholds(uow: FundingUnitOfWork) -> Thresholds:
    return Thresholds(
        pme_minimum_percent=await uow.reference.parameter(PME_MINIMUM_PERCENT),
        priority_a_maximum_percent=await uow.reference.parameter(PRIORITY_A_MAXIMUM_PERCENT),
    )


async def approve_program(
    uow: FundingUnitOfWork, program_id: uuid.UUID, now: datetime
) -> CountryProgram:
    """Re-cost every line with the current rates and run the planning checks against the
    country's ceiling; refuse (422, each failed check with its value and threshold) or approve
    the A and B lines (D lines stay deferred)."""
    program = await _program(uow, program_id)
    if program.status is ProgramStatus.APPROVED:
        return program
    allocation = await uow.allocations.find(program.country, program.fiscal_year)
    ceiling = allocation.balance.amount if allocation else ZERO
    for line in program.lines:
        if line.status is not LineStatus.CANCELLED:
            await cost_program_line(uow, line, program.country, program.fiscal_year, now)
    checks = planning_checks(program, ceiling, await thresholds(uow))
    refused = failed(checks)
    if refused:
        raise ProgramChecksFailed(
            f"{len(refused)} planning check(s) failed: " + ", ".join(c.code for c in refused) + ".",
            checks=[c.view() for c in refused],
            ceiling=str(ceiling),
        )
    for line in program.lines:
        if line.status is LineStatus.PLANNED and line.priority is not Priority.D:
            line.status = LineStatus.APPROVED
        await uow.programs.save_line(line)
    before_status = program.status.value
    program.status = ProgramStatus.APPROVED
    await uow.programs.save(program, approved_by=uow.actor.subject)
    uow.audit(
        "program.approved",
        "country_program",
        str(program.id),
        before={"status": before_status},
        after=_view(program) | {"checks": [c.view() for c in checks], "ceiling": str(ceiling)},
    )
    uow.emit(events.program_approved(program, ceiling))
    await uow.commit()
    return program
