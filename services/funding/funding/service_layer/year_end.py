"""The year-end run (ADR 0117): pull back unused ceiling, redistribute it to other countries'
priority-B PME / E-IMET lines. A dry run computes and records the plan and changes nothing.

Every money movement is an allocation change through the same path as reprogramming
(`funds._move_ceiling`: a ledger posting AVAILABLE <-> UNALLOCATED, the allocation's history
with the reason, an `allocation_changed` event), so the ledger and the consistency check stay
exact; each step also publishes its own event (`ceiling_pulled_back`, `ceiling_redistributed`,
then `year_end_run_completed`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from funding.domain import events
from funding.domain.allocation import AllocationRecord
from funding.domain.errors import NoAppropriation
from funding.domain.program import OPEN, PME_CATEGORY, CountryProgram, Priority
from funding.domain.year_end import (
    PULL_BACK,
    REDISTRIBUTION,
    Candidate,
    CountryPosition,
    YearEndPlan,
    plan_year_end,
)
from funding.service_layer.funds import _move_ceiling
from funding.service_layer.unit_of_work import FundingUnitOfWork


@dataclass(frozen=True)
class YearEndResult:
    run_id: uuid.UUID
    fiscal_year: int
    dry_run: bool
    plan: YearEndPlan
    positions: list[CountryPosition]

    def view(self) -> dict[str, Any]:
        return {
            "run_id": str(self.run_id),
            "fiscal_year": self.fiscal_year,
            "dry_run": self.dry_run,
            "pulled_back": str(self.plan.pulled_back),
            "redistributed": str(self.plan.redistributed),
            "left_unallocated": str(self.plan.left_unallocated),
            "countries": [
                {
                    "country": p.country,
                    "ceiling": str(p.ceiling),
                    "obligated": str(p.used),
                    "expected": str(p.expected),
                    "unused": str(p.unused),
                    "shortfall": str(p.shortfall),
                }
                for p in self.positions
            ],
            "pull_backs": [
                {"country": b.country, "allocation_id": str(b.allocation_id),
                 "amount": str(b.amount)}
                for b in self.plan.pull_backs
            ],
            "grants": [
                {"country": g.country, "allocation_id": str(g.allocation_id),
                 "line_id": str(g.line_id), "work_control_number": g.work_control_number,
                 "amount": str(g.amount)}
                for g in self.plan.grants
            ],
        }  # fmt: skip


def _candidates(program: CountryProgram) -> tuple[Candidate, ...]:
    """The program's open priority-B lines that end-of-year money may fund (PME or E-IMET)."""
    return tuple(
        Candidate(ln.id, ln.work_control_number, ln.expected_cost)
        for ln in program.lines
        if ln.priority is Priority.B
        and ln.status in OPEN
        and (ln.category == PME_CATEGORY or ln.funding_source == "eimet")
        and ln.expected_cost > 0
    )


async def run_year_end(
    uow: FundingUnitOfWork,
    fiscal_year: int,
    *,
    dry_run: bool,
    reason: str,
    countries: list[str] | None = None,
) -> YearEndResult:
    """Per country with an approved program (of `countries`, when given): unused = allocation -
    obligations - lines still expected to obligate; pull it all back, redistribute it."""
    appropriation = await uow.appropriations.get(fiscal_year, lock=True)
    if appropriation is None:
        raise NoAppropriation(f"FY{fiscal_year} has no appropriation.")
    programs = [
        p
        for p in await uow.programs.approved(fiscal_year)
        if countries is None or p.country in countries
    ]
    records: dict[str, AllocationRecord] = {}
    positions = []
    for program in programs:
        record = await uow.allocations.find(program.country, fiscal_year, lock=True)
        if record is None:
            continue
        records[program.country] = record
        positions.append(
            CountryPosition(
                program.country,
                record.id,
                record.balance.amount,
                record.balance.used,
                program.expected_cost,
                _candidates(program),
            )
        )
    plan = plan_year_end(positions)
    result = YearEndResult(uuid.uuid4(), fiscal_year, dry_run, plan, positions)
    await uow.programs.record_run(
        result.run_id, fiscal_year, dry_run, reason, uow.actor.subject, result.view()
    )
    uow.audit("year_end_run.recorded", "year_end_run", str(result.run_id), after=result.view())
    if not dry_run:
        await _apply(uow, result, records, reason)
    await uow.commit()
    return result


async def _apply(
    uow: FundingUnitOfWork,
    result: YearEndResult,
    records: dict[str, AllocationRecord],
    reason: str,
) -> None:
    run_id = result.run_id
    for back in result.plan.pull_backs:
        record = records[back.country]
        words = (
            f"year-end pull-back (run {run_id}): unused {back.amount} = allocation "
            f"{back.ceiling_before} - obligated {back.used} - expected {back.expected}; {reason}"
        )
        previous = await _move_ceiling(
            uow, record, record.balance.amount - back.amount, words, initial=False
        )
        uow.emit(
            events.allocation_changed(record, PULL_BACK, previous),
            events.CeilingPulledBack(
                run_id=run_id, allocation_id=record.id, country=record.country,
                fiscal_year=record.fiscal_year, amount=back.amount, previous_amount=previous,
                obligated=back.used, expected=back.expected,
            ),
        )  # fmt: skip
    for grant in result.plan.grants:
        record = records[grant.country]
        words = (
            f"year-end redistribution (run {run_id}) to priority-B line "
            f"{grant.work_control_number}: {grant.amount}; {reason}"
        )
        previous = await _move_ceiling(
            uow, record, record.balance.amount + grant.amount, words, initial=False
        )
        uow.emit(
            events.allocation_changed(record, REDISTRIBUTION, previous),
            events.CeilingRedistributed(
                run_id=run_id, allocation_id=record.id, country=record.country,
                fiscal_year=record.fiscal_year, line_id=grant.line_id, amount=grant.amount,
                previous_amount=previous,
            ),
        )  # fmt: skip
    uow.emit(
        events.YearEndRunCompleted(
            run_id=run_id, fiscal_year=result.fiscal_year, pulled_back=result.plan.pulled_back,
            redistributed=result.plan.redistributed,
            left_unallocated=result.plan.left_unallocated, countries=len(result.positions),
        )
    )  # fmt: skip
