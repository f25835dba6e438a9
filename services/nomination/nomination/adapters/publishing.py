"""Domain events -> the published contracts (`shared/contracts/nomination/v1.py`).

The one place that decides what leaves the service on `imet.nomination.events`: ids, states,
class and money references, the keyed person fingerprint. Never a name, a date of birth, a
passport number or a medical detail (ADR 0005); a test checks every event type for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, cast
from uuid import UUID

from nomination.domain import events
from nomination.domain.candidate import Candidate
from nomination.domain.ending import CancelReason, Initiator, WithdrawalReason
from nomination.domain.nomination import Nomination
from nomination.domain.reference import ClassFacts
from nomination.domain.travel_order import TravelOrder
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.nomination.v1 import (
    CandidateChangedV1,
    FundingRequestedV1,
    ItoIssuedV1,
    ItoRecalledV1,
    NominationCancelledV1,
    NominationCreatedV1,
    NominationState,
    NominationSubmittedV1,
    NominationWithdrawnV1,
    RecallReason,
    TrainingEndedV1,
    VettedField,
)
from shared.contracts.nomination.v1 import NominationStateChangedV1 as StateChangedV1


def contract_of(event: events.DomainEvent) -> IntegrationEvent:
    """The wire contract of a domain event (every event type has exactly one)."""
    match event:
        case events.NominationCreated(n):
            return created(n)
        case events.NominationSubmitted(n, klass, unit_name, vetted_revision, unit_id):
            return submitted(n, klass, unit_name, vetted_revision, unit_id)
        case events.StateChanged(n, from_state, to_state, reason, cause):
            return state_changed(n, from_state, to_state, reason, cause)
        case events.FundingRequested(n, request_id):
            return funding_requested(n, request_id)
        case events.NominationWithdrawn(n, from_state, reason, on):
            return withdrawn(n, from_state, reason, on)
        case events.NominationCancelled(n, from_state, reason, initiated_by, on):
            return cancelled(n, from_state, reason, initiated_by, on)
        case events.TrainingEnded(n, completed, days_attended, on):
            return training_ended(n, completed=completed, days_attended=days_attended, on=on)
        case events.TravelOrderIssued(n, order):
            return ito_issued(n, order)
        case events.TravelOrderRecalled(n, order, reason, missing):
            return ito_recalled(n, order, reason, missing)
        case events.CandidateChanged(n, candidate, fields, at):
            return candidate_changed(n, candidate, fields, at)
    raise TypeError(f"no contract for {type(event).__name__}")  # pragma: no cover


def stage(publish: Callable[[IntegrationEvent], None], raised: Iterable[Any]) -> None:
    """Stage the contracts of `raised` in the outbox, in the order they were raised."""
    for event in raised:
        publish(contract_of(event))


def created(row: Nomination) -> NominationCreatedV1:
    return NominationCreatedV1(
        nomination_id=row.id,
        country=row.country,
        class_id=row.class_id,
        masl_id=row.masl_id,
        fiscal_year=row.fiscal_year,
        funding_source=row.funding_source,
    )


def submitted(
    row: Nomination, klass: ClassFacts, unit_name: str, vetted_revision: int, unit_id: UUID | None
) -> NominationSubmittedV1:
    return NominationSubmittedV1(
        nomination_id=row.id,
        country=row.country,
        candidate_id=row.candidate_id,
        person_fingerprint=row.person_fingerprint,
        unit_name=unit_name,
        class_id=row.class_id,
        masl_id=row.masl_id,
        fiscal_year=row.fiscal_year,
        funding_source=row.funding_source,
        start_date=klass.start_date,
        end_date=klass.end_date,
        report_date=klass.report_date,
        with_dependents=row.with_dependents,
        submitted_at=row.submitted_at,
        vetted_revision=vetted_revision,
        unit_id=unit_id,
    )


def state_changed(
    row: Nomination, from_state: str, to_state: str, reason: str | None, cause: str | None
) -> StateChangedV1:
    return StateChangedV1(
        nomination_id=row.id,
        country=row.country,
        from_state=_state(from_state),
        to_state=_state(to_state),
        reason=reason,
        cause_event_id=cause,
    )


def funding_requested(row: Nomination, request_id: UUID) -> FundingRequestedV1:
    return FundingRequestedV1(
        nomination_id=row.id,
        country=row.country,
        request_id=request_id,
        class_id=row.class_id,
        masl_id=row.masl_id,
        fiscal_year=row.fiscal_year,
        funding_source=row.funding_source,
        with_dependents=row.with_dependents,
    )


def withdrawn(
    row: Nomination, from_state: str, reason: WithdrawalReason, on: date
) -> NominationWithdrawnV1:
    return NominationWithdrawnV1(
        nomination_id=row.id,
        country=row.country,
        class_id=row.class_id,
        masl_id=row.masl_id,
        fiscal_year=row.fiscal_year,
        withdrawn_on=on,
        from_state=_state(from_state),
        reason=reason,
    )


def cancelled(
    row: Nomination, from_state: str, reason: CancelReason, initiated_by: Initiator, on: date
) -> NominationCancelledV1:
    return NominationCancelledV1(
        nomination_id=row.id,
        country=row.country,
        class_id=row.class_id,
        masl_id=row.masl_id,
        fiscal_year=row.fiscal_year,
        cancelled_on=on,
        reason=reason,
        initiated_by=initiated_by,
        from_state=_state(from_state),
    )


def training_ended(
    row: Nomination, *, completed: bool, days_attended: int, on: date
) -> TrainingEndedV1:
    return TrainingEndedV1(
        nomination_id=row.id,
        country=row.country,
        class_id=row.class_id,
        completed=completed,
        days_attended=days_attended,
        ended_on=on,
    )


def ito_issued(row: Nomination, order: TravelOrder) -> ItoIssuedV1:
    return ItoIssuedV1(
        nomination_id=row.id,
        country=row.country,
        ito_number=order.number,
        version=order.version,
        issued_at=order.issued_at,
    )


def ito_recalled(
    row: Nomination, order: TravelOrder, reason: StrEnum, missing: list[str]
) -> ItoRecalledV1:
    return ItoRecalledV1(
        nomination_id=row.id,
        country=row.country,
        ito_number=order.number,
        version=order.version,
        recalled_at=order.recalled_at,
        reason=cast(RecallReason, reason.value),
        missing=missing,
    )


def candidate_changed(
    row: Nomination, candidate: Candidate, fields: list[str], at: datetime
) -> CandidateChangedV1:
    return CandidateChangedV1(
        nomination_id=row.id,
        country=row.country,
        candidate_id=candidate.id,
        changed_fields=cast(list[VettedField], fields),
        person_fingerprint=candidate.person_fingerprint or "",
        unit_name=candidate.unit_name or "",
        vetted_revision=candidate.vetted_revision,
        changed_at=at,
        unit_id=candidate.unit_id,
    )


def _state(value: str) -> NominationState:
    # The table's check constraint and the contract list the same states.
    return cast(NominationState, value)
