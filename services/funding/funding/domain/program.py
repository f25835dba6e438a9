"""A country's training program for a fiscal year (ADR 0115): training lines, their cost, and
the planning checks that gate its approval (SAMM C10, ../shared/DOMAIN.md).

- A line names a course (MASL), a quantity, a priority (A must fund, B fund if money, D
  deferred / unfunded), a work-control number and its estimated cost (the real costing: tuition
  for the fiscal year + travel + TLA + incidentals, per student, times the quantity).
- The approved total is the A and B lines; D lines never count and are never approved (a
  database CHECK too).
- Checks (thresholds are reference data, `funding_parameter`): PME lines hold at least
  `pme_minimum_percent` of the ceiling; priority-A lines at most `priority_a_maximum_percent`;
  no D line in the approved total; every line costed with the current rates.
- Nominations fill approved lines, one student each, never beyond the quantity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from funding.domain.money import ZERO, percent_of

PRIORITY_A_MAXIMUM_PERCENT = "priority_a_maximum_percent"
PME_CATEGORY = "pme"


class Priority(StrEnum):
    A = "A"  # must fund
    B = "B"  # fund if money
    D = "D"  # deferred, unfunded


class ProgramStatus(StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"


class LineStatus(StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"


OPEN = (LineStatus.APPROVED, LineStatus.PARTIALLY_FILLED)


@dataclass(frozen=True)
class LineCost:
    """One student's estimated cost on a line, from the current rates."""

    tuition: Decimal
    travel: Decimal
    living_allowance: Decimal

    @property
    def total(self) -> Decimal:
        return self.tuition + self.travel + self.living_allowance


@dataclass
class ProgramLine:
    id: uuid.UUID
    program_id: uuid.UUID
    masl_id: str
    quantity: int
    priority: Priority
    work_control_number: str
    funding_source: str = "imet"
    category: str | None = None
    cost: LineCost | None = None
    cost_problem: str | None = None
    costed_at: datetime | None = None
    status: LineStatus = LineStatus.PLANNED
    filled: int = 0
    obligated: Decimal = ZERO
    version: int = 1

    @property
    def unit_cost(self) -> Decimal | None:
        return self.cost.total if self.cost else None

    @property
    def estimated_cost(self) -> Decimal:
        return self.cost.total * self.quantity if self.cost else ZERO

    @property
    def is_pme(self) -> bool:
        return self.category == PME_CATEGORY

    @property
    def counts(self) -> bool:
        """In the approved total: an A or B line that is not cancelled."""
        return self.priority is not Priority.D and self.status is not LineStatus.CANCELLED

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled if self.status in OPEN else 0

    @property
    def expected_cost(self) -> Decimal:
        """What the line is still expected to obligate: its unfilled students at the estimate."""
        return self.cost.total * self.remaining if self.cost else ZERO

    def fill(self, actual: Decimal) -> Decimal:
        """One more student obligated at `actual`; returns actual - estimate. The caller holds
        the line's row lock; a full line is refused (`LineFull`)."""
        if self.status not in OPEN or self.filled >= self.quantity:
            raise LineFull(self.id)
        self.filled += 1
        self.obligated += actual
        self.status = (
            LineStatus.FILLED if self.filled == self.quantity else LineStatus.PARTIALLY_FILLED
        )
        return actual - (self.unit_cost or ZERO)

    def release(self, actual: Decimal) -> None:
        """A student's obligation was released (withdrawn, cancelled, denied) before training:
        the seat on the line opens again for another nomination (a cancelled line stays so)."""
        self.filled = max(0, self.filled - 1)
        self.obligated = max(ZERO, self.obligated - actual)
        if self.status is not LineStatus.CANCELLED:
            self.status = LineStatus.PARTIALLY_FILLED if self.filled else LineStatus.APPROVED


class LineFull(Exception):
    def __init__(self, line_id: uuid.UUID) -> None:
        super().__init__(f"line {line_id} takes no more students")
        self.line_id = line_id


@dataclass
class CountryProgram:
    id: uuid.UUID
    country: str
    fiscal_year: int
    status: ProgramStatus = ProgramStatus.PLANNED
    version: int = 1
    lines: list[ProgramLine] = field(default_factory=list)

    @property
    def approved_total(self) -> Decimal:
        return sum((ln.estimated_cost for ln in self.lines if ln.counts), ZERO)

    @property
    def expected_cost(self) -> Decimal:
        return sum((ln.expected_cost for ln in self.lines), ZERO)


@dataclass(frozen=True)
class Thresholds:
    pme_minimum_percent: Decimal = Decimal("50.00")
    priority_a_maximum_percent: Decimal = Decimal("100.00")


@dataclass(frozen=True)
class CheckResult:
    code: str
    passed: bool
    value: str
    threshold: str
    detail: str

    def view(self) -> dict[str, object]:
        return {
            "code": self.code,
            "passed": self.passed,
            "value": self.value,
            "threshold": self.threshold,
            "detail": self.detail,
        }


def planning_checks(
    program: CountryProgram, ceiling: Decimal, thresholds: Thresholds
) -> list[CheckResult]:
    """The four planning checks of a program against the country's ceiling, failed or not."""
    counted = [ln for ln in program.lines if ln.counts]
    pme = sum((ln.estimated_cost for ln in counted if ln.is_pme), ZERO)
    pme_minimum = percent_of(ceiling, thresholds.pme_minimum_percent)
    a_total = sum((ln.estimated_cost for ln in counted if ln.priority is Priority.A), ZERO)
    a_maximum = percent_of(ceiling, thresholds.priority_a_maximum_percent)
    deferred = [ln for ln in program.lines if ln.priority is Priority.D and ln.status in OPEN]
    uncosted = [ln for ln in counted if ln.cost is None]
    return [
        CheckResult(
            "pme_share",
            ceiling > 0 and pme >= pme_minimum,
            str(pme),
            str(pme_minimum),
            f"PME lines hold {pme} of a {ceiling} ceiling; at least "
            f"{thresholds.pme_minimum_percent}% ({pme_minimum}) is required.",
        ),
        CheckResult(
            "priority_a_total",
            a_total <= a_maximum,
            str(a_total),
            str(a_maximum),
            f"Priority-A lines total {a_total}; at most {thresholds.priority_a_maximum_percent}% "
            f"of the ceiling ({a_maximum}) may be must-fund.",
        ),
        CheckResult(
            "no_deferred_in_total",
            not deferred,
            str(len(deferred)),
            "0",
            "Priority-D lines are deferred: none may be in the approved total.",
        ),
        CheckResult(
            "costed_with_current_rates",
            not uncosted,
            ", ".join(f"{ln.work_control_number}:{ln.cost_problem}" for ln in uncosted) or "0",
            "0",
            "Every A and B line must be costed with the current rates "
            "(tuition for the fiscal year, travel, TLA, incidentals).",
        ),
    ]


def failed(checks: list[CheckResult]) -> list[CheckResult]:
    return [c for c in checks if not c.passed]
