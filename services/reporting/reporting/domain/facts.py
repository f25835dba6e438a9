"""The facts the read model keeps, as the reports read them (one dataclass per table).

All of them come from the public topics; none names a person (a candidate is an id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

ZERO = Decimal("0.00")
TERMINAL_STATES = frozenset(
    {"completed", "training_terminated", "vetting_denied", "withdrawn", "cancelled"}
)


@dataclass(frozen=True)
class CountryRef:
    code: str
    name: str
    region: str
    fmtr_excluded: bool


UNKNOWN_REGION = "unassigned"


def unknown_country(code: str) -> CountryRef:
    """A country the reference data does not list yet: its code as name, no region."""
    return CountryRef(code, code, UNKNOWN_REGION, False)


@dataclass(frozen=True)
class CourseFact:
    masl_id: str
    title: str
    category: str
    institution: str
    location: str


@dataclass(frozen=True)
class NominationFact:
    nomination_id: UUID
    country: str
    fiscal_year: int
    masl_id: str
    candidate_id: UUID | None
    state: str
    trained: bool  # reached `in_training`: the student attended, whatever came after
    completed: bool | None = None
    unit_name: str | None = None  # the candidate's unit (an organisation), latest known


@dataclass(frozen=True)
class LineFact:
    """A nomination's training line as funding published it: what was obligated, what came
    back to the allocation, what lapsed, and the charges (penalties) and their refunds."""

    nomination_id: UUID
    country: str
    fiscal_year: int
    masl_id: str
    amount: Decimal
    tuition: Decimal
    travel: Decimal
    living_allowance: Decimal
    returned: Decimal = ZERO
    lapsed: Decimal = ZERO
    penalties_charged: Decimal = ZERO
    penalties_refunded: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        """What the line finally costs: obligated minus what was released."""
        return max(ZERO, self.amount - self.returned - self.lapsed)

    @property
    def penalties(self) -> Decimal:
        return max(ZERO, self.penalties_charged - self.penalties_refunded)


@dataclass(frozen=True)
class StateSpan:
    nomination_id: UUID
    country: str
    fiscal_year: int
    state: str
    entered_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class AllocationFact:
    country: str
    fiscal_year: int
    amount: Decimal


@dataclass(frozen=True)
class CaseFact:
    case_id: UUID
    country: str
    opened_on: date | None
    due_on: date | None
    decided_on: date | None
    outcome: str | None  # approved, denied, suspended, cancelled; None while undecided
