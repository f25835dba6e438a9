"""Year-end pull-back and redistribution of unused ceiling (ADR 0117), as pure arithmetic.

Per country with an approved program:
  unused = allocation - obligations (obligated + charged + lapsed) - lines still expected to
           obligate (unfilled students of approved lines at their estimate), never below zero.
All of it is pulled back to the fiscal year's unallocated funds. End-of-year money may fund
priority-B PME / E-IMET lines only: a country whose expected lines exceed its available ceiling
receives, line by line, what its priority-B PME / E-IMET lines still need (never more than its
shortfall, never more than was pulled back). What nobody may receive stays unallocated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from funding.domain.money import ZERO

PULL_BACK = "year_end_pull_back"
REDISTRIBUTION = "year_end_redistribution"


@dataclass(frozen=True)
class Candidate:
    """A priority-B PME or E-IMET line and what its unfilled students are expected to cost."""

    line_id: uuid.UUID
    work_control_number: str
    needed: Decimal


@dataclass(frozen=True)
class CountryPosition:
    country: str
    allocation_id: uuid.UUID
    ceiling: Decimal
    used: Decimal  # obligated + charged + lapsed
    expected: Decimal  # approved lines still expected to obligate
    candidates: tuple[Candidate, ...] = ()

    @property
    def available(self) -> Decimal:
        return self.ceiling - self.used

    @property
    def unused(self) -> Decimal:
        return max(ZERO, self.available - self.expected)

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.expected - self.available)


@dataclass(frozen=True)
class PullBack:
    country: str
    allocation_id: uuid.UUID
    amount: Decimal
    ceiling_before: Decimal
    used: Decimal
    expected: Decimal


@dataclass(frozen=True)
class Grant:
    country: str
    allocation_id: uuid.UUID
    line_id: uuid.UUID
    work_control_number: str
    amount: Decimal


@dataclass(frozen=True)
class YearEndPlan:
    pull_backs: list[PullBack] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)

    @property
    def pulled_back(self) -> Decimal:
        return sum((p.amount for p in self.pull_backs), ZERO)

    @property
    def redistributed(self) -> Decimal:
        return sum((g.amount for g in self.grants), ZERO)

    @property
    def left_unallocated(self) -> Decimal:
        return self.pulled_back - self.redistributed


def plan_year_end(positions: list[CountryPosition]) -> YearEndPlan:
    """Pull back every country's unused ceiling; give it to the others' priority-B PME / E-IMET
    lines (countries in code order, lines in the order given), within each one's shortfall."""
    ordered = sorted(positions, key=lambda p: p.country)
    pull_backs = [
        PullBack(p.country, p.allocation_id, p.unused, p.ceiling, p.used, p.expected)
        for p in ordered
        if p.unused > 0
    ]
    pool = sum((p.amount for p in pull_backs), ZERO)
    grants: list[Grant] = []
    for p in ordered:
        room = p.shortfall
        for c in p.candidates:
            amount = min(c.needed, room, pool)
            if amount <= 0:
                continue
            grants.append(
                Grant(p.country, p.allocation_id, c.line_id, c.work_control_number, amount)
            )
            room -= amount
            pool -= amount
    return YearEndPlan(pull_backs, grants)
