"""Decisions: the append-only record of a case, from which its current result is derived.

Every change of a case's result is a `Decision` appended to its history, never an update: a
vetter's decision, an automatic one (prior approval reused, unit blocked), a cancellation, or
a re-opening when an approval lapses before the report date. Under the two-person rule a
denial, or an approval of a case flagged as a possible duplicate, takes effect only when a
second vetter confirms it (a `Confirmation`, also append-only); a rejected confirmation leaves
the case as it was. The status is a pure function of the history (`derive_status`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID


class CaseStatus(StrEnum):
    OPEN = "open"
    PENDING_CONFIRMATION = "pending_confirmation"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    DENIED = "denied"
    CANCELLED = "cancelled"


class Result(StrEnum):
    APPROVED = "approved"
    SUSPENDED = "suspended"
    DENIED = "denied"
    CANCELLED = "cancelled"
    REOPENED = "reopened"


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class DecisionState(StrEnum):
    EFFECTIVE = "effective"
    PENDING_CONFIRMATION = "pending_confirmation"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


RESULT_STATUS = {
    Result.APPROVED: CaseStatus.APPROVED,
    Result.SUSPENDED: CaseStatus.SUSPENDED,
    Result.DENIED: CaseStatus.DENIED,
    Result.CANCELLED: CaseStatus.CANCELLED,
    Result.REOPENED: CaseStatus.OPEN,
}
# Not cleared and not finally refused: a withdrawn nomination cancels these.
UNDECIDED = frozenset({CaseStatus.OPEN, CaseStatus.PENDING_CONFIRMATION, CaseStatus.SUSPENDED})
# Waiting for a result: these count against the turnaround target (overdue after the due date).
AWAITING_DECISION = frozenset({CaseStatus.OPEN, CaseStatus.PENDING_CONFIRMATION})
CLOSED = frozenset({CaseStatus.APPROVED, CaseStatus.DENIED, CaseStatus.CANCELLED})

# What a vetter may decide, from which status.
VETTER_TRANSITIONS: dict[CaseStatus, frozenset[Result]] = {
    CaseStatus.OPEN: frozenset(
        {Result.APPROVED, Result.SUSPENDED, Result.DENIED, Result.CANCELLED}
    ),
    CaseStatus.SUSPENDED: frozenset({Result.APPROVED, Result.DENIED, Result.CANCELLED}),
}
# Which reason codes (shared.contracts.vetting.v1.ReasonCode) fit a vetter's result.
VETTER_REASONS: dict[Result, frozenset[str]] = {
    Result.APPROVED: frozenset({"cleared"}),
    Result.SUSPENDED: frozenset({"insufficient_information", "under_review", "unit_blocked"}),
    Result.DENIED: frozenset({"derogatory_information", "unit_blocked"}),
    Result.CANCELLED: frozenset({"administrative"}),
}

UnitBlockPolicy = Literal["deny", "review"]


@dataclass(frozen=True)
class DecisionPolicy:
    """The configurable rules a decision is taken under (settings, read at process start)."""

    validity_months: int = 12
    turnaround_working_days: int = 10
    two_person_rule: bool = False
    unit_block_policy: UnitBlockPolicy = "deny"

    def needs_confirmation(self, result: Result, flagged: bool) -> bool:
        """Two-person rule: denials, and approvals of flagged cases, need a second vetter."""
        if not self.two_person_rule:
            return False
        return result is Result.DENIED or (result is Result.APPROVED and flagged)


@dataclass(frozen=True)
class Confirmation:
    id: UUID
    decision_id: UUID
    outcome: Outcome
    rationale: str
    confirmed_by: str
    confirmed_at: datetime
    confirmed_on: date
    valid_until: date | None = None  # set when it makes an approval effective


@dataclass(frozen=True)
class Decision:
    id: UUID
    result: Result
    reason_code: str
    rationale: str
    decided_by: str
    decided_at: datetime
    decided_on: date
    cycle_started_on: date
    first_in_cycle: bool
    automatic: bool = False
    requires_confirmation: bool = False
    valid_until: date | None = None  # set when an approval is effective as filed
    reused_from_case_id: UUID | None = None
    registry_entry_id: UUID | None = None
    confirmation: Confirmation | None = None

    @property
    def effective_at(self) -> datetime:
        return self.confirmation.confirmed_at if self.confirmation else self.decided_at

    @property
    def effective_on(self) -> date:
        return self.confirmation.confirmed_on if self.confirmation else self.decided_on

    @property
    def effective_valid_until(self) -> date | None:
        if self.confirmation is not None and self.confirmation.valid_until is not None:
            return self.confirmation.valid_until
        return self.valid_until


def decision_states(history: Sequence[Decision]) -> list[DecisionState]:
    """The state of each decision: a pending one that is no longer the last became moot."""
    states = []
    for index, decision in enumerate(history):
        if not decision.requires_confirmation:
            states.append(DecisionState.EFFECTIVE)
        elif decision.confirmation is None:
            last = index == len(history) - 1
            states.append(DecisionState.PENDING_CONFIRMATION if last else DecisionState.SUPERSEDED)
        elif decision.confirmation.outcome is Outcome.CONFIRMED:
            states.append(DecisionState.EFFECTIVE)
        else:
            states.append(DecisionState.REJECTED)
    return states


def derive_status(history: Sequence[Decision]) -> CaseStatus:
    """The case's current status: the last effective decision's, or pending confirmation."""
    status = CaseStatus.OPEN
    for decision, state in zip(history, decision_states(history), strict=True):
        if state is DecisionState.EFFECTIVE:
            status = RESULT_STATUS[decision.result]
        elif state is DecisionState.PENDING_CONFIRMATION:
            status = CaseStatus.PENDING_CONFIRMATION
    return status


def last_effective(history: Sequence[Decision]) -> Decision | None:
    states = decision_states(history)
    effective = [d for d, s in zip(history, states, strict=True) if s is DecisionState.EFFECTIVE]
    return effective[-1] if effective else None


def pending_decision(history: Sequence[Decision]) -> Decision | None:
    if history and decision_states(history)[-1] is DecisionState.PENDING_CONFIRMATION:
        return history[-1]
    return None


@dataclass(frozen=True)
class Standing:
    """A case's current result, derived from its history (lists and the stored cache show it)."""

    status: CaseStatus
    reason_code: str | None
    decided_at: datetime | None
    valid_until: date | None
    registry_entry_id: UUID | None
    reused_from_case_id: UUID | None


def standing(history: Sequence[Decision]) -> Standing:
    status, current = derive_status(history), last_effective(history)
    if current is None:
        return Standing(status, None, None, None, None, None)
    return Standing(
        status=status,
        reason_code=current.reason_code,
        # A re-opening is not a result: the case waits for one again.
        decided_at=None if current.result is Result.REOPENED else current.effective_at,
        valid_until=current.effective_valid_until if status is CaseStatus.APPROVED else None,
        registry_entry_id=current.registry_entry_id,
        reused_from_case_id=current.reused_from_case_id,
    )
