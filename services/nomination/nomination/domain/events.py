"""What happened to a nomination, in the domain's words (frozen, past tense).

The service layer raises them (`uow.emit(...)`) at the point of the change, carrying the
aggregate as it is after the change; `adapters/publishing.py` - the only module that builds a
`shared.contracts.nomination.v1` type - turns each into its contract when it is staged in the
outbox, in the order they were raised. No event carries personal data beyond what the contract
allows (ids, states, references, the keyed fingerprint, the unit; ADR 0005).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from nomination.domain.candidate import Candidate
from nomination.domain.ending import CancelReason, Initiator, WithdrawalReason
from nomination.domain.nomination import Nomination
from nomination.domain.reference import ClassFacts
from nomination.domain.states import State
from nomination.domain.travel_order import RecallReason, TravelOrder


@dataclass(frozen=True)
class NominationCreated:
    nomination: Nomination


@dataclass(frozen=True)
class NominationSubmitted:
    nomination: Nomination
    klass: ClassFacts
    unit_name: str
    vetted_revision: int
    unit_id: UUID | None


@dataclass(frozen=True)
class StateChanged:
    nomination: Nomination
    from_state: State
    to_state: State
    reason: str | None
    cause_event_id: str | None


@dataclass(frozen=True)
class FundingRequested:
    nomination: Nomination
    request_id: UUID


@dataclass(frozen=True)
class NominationWithdrawn:
    nomination: Nomination
    from_state: State
    reason: WithdrawalReason
    on: date


@dataclass(frozen=True)
class NominationCancelled:
    nomination: Nomination
    from_state: State
    reason: CancelReason
    initiated_by: Initiator
    on: date


@dataclass(frozen=True)
class TrainingEnded:
    nomination: Nomination
    completed: bool
    days_attended: int
    on: date


@dataclass(frozen=True)
class TravelOrderIssued:
    nomination: Nomination
    order: TravelOrder


@dataclass(frozen=True)
class TravelOrderRecalled:
    nomination: Nomination
    order: TravelOrder
    reason: RecallReason
    missing: list[str]


@dataclass(frozen=True)
class CandidateChanged:
    nomination: Nomination
    candidate: Candidate
    fields: list[str]
    at: datetime


DomainEvent = (
    NominationCreated
    | NominationSubmitted
    | StateChanged
    | FundingRequested
    | NominationWithdrawn
    | NominationCancelled
    | TrainingEnded
    | TravelOrderIssued
    | TravelOrderRecalled
    | CandidateChanged
)
