"""The Nomination aggregate: one candidate's nomination to one class, and the process manager's
state of it (ADR 0004).

It owns where the nomination stands (`progress`: its state and the seat, vetting and funding
facts it was decided from), the state machine's moves on it (`decide` a command, `record` a
fact, `settle`), the compensations it waits for once it ended, and what the audit trail may hold
of it. Instances are immutable: a repository returns a new one for every stored change (its
`version` is the ETag).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from nomination.domain import compensation
from nomination.domain.commands import Command, Context, decide
from nomination.domain.machine import Fact, Outcome, Progress, record, settle
from nomination.domain.reference import FundingSource
from nomination.domain.states import ACTIVE, PIPELINE, TERMINAL, Funding, Seat, State, Vetting

# What the audit trail records of a nomination: its statuses and pipeline references, never
# the candidate's personal data.
AUDITED = (
    "status", "seat_status", "vetting_status", "funding_status", "status_reason", "class_id",
    "fiscal_year", "funding_source", "with_dependents", "obligation_id", "vetting_valid_until",
    "medical_cleared_on", "security_screened_on", "data_complete_on", "compensations", "version",
)  # fmt: skip


@dataclass(frozen=True)
class Nomination:
    id: UUID
    country: str
    candidate_id: UUID
    class_id: UUID
    masl_id: str
    fiscal_year: int
    funding_source: FundingSource
    with_dependents: bool
    status: str
    seat_status: str
    vetting_status: str
    funding_status: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    version: int
    status_reason: str | None = None
    vetting_case_id: UUID | None = None
    vetting_valid_until: date | None = None
    hold_expires_at: datetime | None = None
    waitlist_position: int | None = None
    funding_request_id: UUID | None = None
    obligation_id: UUID | None = None
    obligated_amount: Decimal | None = None
    penalty_amount: Decimal | None = None
    living_allowance: Decimal | None = None
    tla_lodging_per_day: Decimal | None = None
    tla_meals_per_day: Decimal | None = None
    tla_incidentals_per_day: Decimal | None = None
    tla_days: int | None = None
    compensations: dict[str, str] = field(default_factory=dict)
    person_fingerprint: str | None = None
    medical_cleared_on: date | None = None
    medical_reference: str | None = None
    security_screened_on: date | None = None
    security_reference: str | None = None
    data_complete_on: date | None = None
    training_started_on: date | None = None
    training_ended_on: date | None = None
    days_attended: int | None = None
    submitted_at: datetime | None = None

    # --- where it stands -------------------------------------------------------------------
    @property
    def state(self) -> State:
        return State(self.status)

    @property
    def progress(self) -> Progress:
        """The state machine's view: the state and the facts it was decided from."""
        return Progress(
            state=State(self.status),
            seat=Seat(self.seat_status),
            vetting=Vetting(self.vetting_status),
            funding=Funding(self.funding_status),
        )

    @property
    def ended(self) -> bool:
        return self.state in TERMINAL

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def in_pipeline(self) -> bool:
        return self.state in PIPELINE

    # --- the state machine ---------------------------------------------------------------
    def decide(self, command: Command, context: Context = Context()) -> Outcome:
        """The outcome of a command on this nomination (raises when the machine refuses)."""
        return decide(self.progress, command, context)

    def record(self, fact: Fact) -> Progress | None:
        """The progress after another service's `fact`; None when it changes nothing."""
        return record(self.progress, fact)

    @staticmethod
    def settle(progress: Progress, *, funding_refused: bool = False) -> Outcome:
        """Where the recorded facts put the nomination, and whether to ask for money."""
        return settle(progress, funding_refused=funding_refused)

    # --- the process manager's state: compensations --------------------------------------
    def compensations_owed(self) -> dict[str, str]:
        """What the other services must undo if the nomination ends now."""
        return compensation.expected(self.progress)

    def compensations_after_denial(self) -> dict[str, str]:
        return compensation.after_denial(self.progress)

    def confirm_compensation(self, fact: Fact) -> dict[str, str] | None:
        """The compensations with the one `fact` confirms marked done, once it ended; None when
        it confirms nothing (or the nomination has not ended)."""
        if not self.ended:
            return None
        return compensation.confirm(self.compensations, fact)

    # --- values ----------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Every field by name (what a repository stores)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def with_values(self, values: dict[str, Any]) -> Nomination:
        return replace(self, **values)

    def audit_view(self) -> dict[str, Any]:
        """What the audit trail may hold: statuses and references, never personal data."""
        return {k: _jsonable(getattr(self, k)) for k in AUDITED}


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a nomination's history: a transition, a fact, a decision, a compensation or a
    document, with who or what caused it."""

    id: int
    nomination_id: UUID
    occurred_at: datetime
    kind: str
    actor: str
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = None
    cause_event_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def progress_values(progress: Progress) -> dict[str, str]:
    """The fields that hold a nomination's progress, as stored."""
    return {
        "status": progress.state.value,
        "seat_status": progress.seat.value,
        "vetting_status": progress.vetting.value,
        "funding_status": progress.funding.value,
    }


NOMINATION_FIELDS = frozenset(f.name for f in fields(Nomination))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str | dict | list):
        return value
    return str(value)
