"""Nomination rows -> the published contracts (`shared/contracts/nomination/v1.py`).

The one place that decides what leaves the service on `imet.nomination.events`: ids, states,
class and money references, the keyed person fingerprint. Never a name, a date of birth, a
passport number or a medical detail (ADR 0005); a test checks every event type for it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Row

from nomination.domain.ending import CancelReason, Initiator, WithdrawalReason
from nomination.domain.reference import ClassFacts
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


def created(row: Row[Any]) -> NominationCreatedV1:
    return NominationCreatedV1(
        nomination_id=row.id,
        country=row.country,
        class_id=row.class_id,
        masl_id=row.masl_id,
        fiscal_year=row.fiscal_year,
        funding_source=row.funding_source,
    )


def submitted(
    row: Row[Any], klass: ClassFacts, unit_name: str, vetted_revision: int, unit_id: UUID | None
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
    row: Row[Any], from_state: str, to_state: str, reason: str | None, cause: str | None
) -> StateChangedV1:
    return StateChangedV1(
        nomination_id=row.id,
        country=row.country,
        from_state=_state(from_state),
        to_state=_state(to_state),
        reason=reason,
        cause_event_id=cause,
    )


def funding_requested(row: Row[Any], request_id: UUID) -> FundingRequestedV1:
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
    row: Row[Any], from_state: str, reason: WithdrawalReason, on: date
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
    row: Row[Any], from_state: str, reason: CancelReason, initiated_by: Initiator, on: date
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
    row: Row[Any], *, completed: bool, days_attended: int, on: date
) -> TrainingEndedV1:
    return TrainingEndedV1(
        nomination_id=row.id,
        country=row.country,
        class_id=row.class_id,
        completed=completed,
        days_attended=days_attended,
        ended_on=on,
    )


def ito_issued(row: Row[Any], order: Row[Any]) -> ItoIssuedV1:
    return ItoIssuedV1(
        nomination_id=row.id,
        country=row.country,
        ito_number=order.number,
        version=order.version,
        issued_at=order.issued_at,
    )


def ito_recalled(
    row: Row[Any], order: Row[Any], reason: StrEnum, missing: list[str]
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
    row: Row[Any], candidate: Row[Any], fields: list[str], at: datetime
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
