"""What happened to a case or a unit, as its aggregate raises it (past tense, frozen).

The aggregates append these to their `events`; the unit of work collects them when it commits
and `adapters.publishing` turns each into its published contract. They carry what the
pipeline may know - ids, the unit name, country, dates and reason codes - never personal data
or a vetter's rationale (ADR 0020).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from vetting.domain.decision import Decision, Result


@dataclass(frozen=True, kw_only=True)
class CaseEvent:
    case_id: UUID
    nomination_id: UUID
    country: str


@dataclass(frozen=True, kw_only=True)
class CaseOpened(CaseEvent):
    candidate_id: UUID
    unit_name: str
    opened_on: date
    due_on: date
    flagged_possible_duplicate: bool


@dataclass(frozen=True, kw_only=True)
class CaseReopened(CaseEvent):
    """The candidate's vetted facts changed: a new cycle started (`candidate_changed`)."""

    candidate_id: UUID
    changed_fields: tuple[str, ...]
    reopened_on: date
    due_on: date
    vetted_revision: int


@dataclass(frozen=True, kw_only=True)
class VettingApproved(CaseEvent):
    candidate_id: UUID
    valid_until: date
    decided_at: datetime
    automatic: bool
    reused_from_case_id: UUID | None
    reason_code: str
    vetted_revision: int


@dataclass(frozen=True, kw_only=True)
class VettingSuspended(CaseEvent):
    decided_at: datetime
    reason_code: str


@dataclass(frozen=True, kw_only=True)
class VettingDenied(CaseEvent):
    decided_at: datetime
    reason_code: str
    registry_entry_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class VettingCancelled(CaseEvent):
    decided_at: datetime
    reason_code: str


@dataclass(frozen=True, kw_only=True)
class ApprovalLapsed(CaseEvent):
    """An approval lapses before the report date: the case was re-opened for re-vetting."""

    candidate_id: UUID
    lapsed_on: date
    report_date: date


@dataclass(frozen=True, kw_only=True)
class ApprovalSuspended(CaseEvent):
    """The unit was put on the registry: a standing approval no longer clears the person."""

    decided_at: datetime
    registry_entry_id: UUID
    unit_id: UUID | None


@dataclass(frozen=True, kw_only=True)
class UnitRegistered:
    unit_id: UUID
    country: str
    unit_name: str
    parent_unit_id: UUID | None
    registered_at: datetime


DomainEvent = (
    CaseOpened
    | CaseReopened
    | VettingApproved
    | VettingSuspended
    | VettingDenied
    | VettingCancelled
    | ApprovalLapsed
    | ApprovalSuspended
    | UnitRegistered
)


class RaisesEvents(Protocol):
    @property
    def events(self) -> list[DomainEvent]: ...


def collect(aggregates: Iterable[RaisesEvents]) -> list[DomainEvent]:
    """Take the events the aggregates raised, in order (each aggregate's are then cleared)."""
    taken: list[DomainEvent] = []
    for aggregate in aggregates:
        taken.extend(aggregate.events)
        aggregate.events.clear()
    return taken


class CaseFacts(Protocol):
    @property
    def id(self) -> UUID: ...
    @property
    def nomination_id(self) -> UUID: ...
    @property
    def country(self) -> str: ...
    @property
    def candidate_id(self) -> UUID: ...
    @property
    def vetted_revision(self) -> int: ...


def decision_took_effect(case: CaseFacts, decision: Decision) -> DomainEvent:
    """The event announcing a decision that took effect (never one pending confirmation)."""
    case_id, nomination_id, country = case.id, case.nomination_id, case.country
    at, reason = decision.effective_at, decision.reason_code
    match decision.result:
        case Result.APPROVED:
            valid_until = decision.effective_valid_until
            if valid_until is None:
                raise ValueError("an effective approval has a validity")
            return VettingApproved(
                case_id=case_id, nomination_id=nomination_id, country=country,
                candidate_id=case.candidate_id, valid_until=valid_until, decided_at=at,
                automatic=decision.automatic, reused_from_case_id=decision.reused_from_case_id,
                reason_code=reason, vetted_revision=case.vetted_revision,
            )  # fmt: skip
        case Result.SUSPENDED:
            return VettingSuspended(
                case_id=case_id, nomination_id=nomination_id, country=country, decided_at=at,
                reason_code=reason,
            )  # fmt: skip
        case Result.DENIED:
            return VettingDenied(
                case_id=case_id, nomination_id=nomination_id, country=country, decided_at=at,
                reason_code=reason, registry_entry_id=decision.registry_entry_id,
            )  # fmt: skip
        case Result.CANCELLED:
            return VettingCancelled(
                case_id=case_id, nomination_id=nomination_id, country=country, decided_at=at,
                reason_code=reason,
            )  # fmt: skip
    raise ValueError(f"{decision.result} is announced by its own event")
