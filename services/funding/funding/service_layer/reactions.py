"""Reactions to other services' events (ADR 0004), called by the platform consumer inside its
transaction (inbox row and offset already staged). Business refusals become events; only bugs
and infrastructure raise."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from funding.adapters.repositories.catalog import ClassState, CourseState
from funding.adapters.repositories.obligations import WAITING, FundingRequest
from funding.domain.penalties import Initiator
from funding.service_layer.catalog_facts import record_class, record_class_cancelled, record_course
from funding.service_layer.obligate import request_funding
from funding.service_layer.refills import refund_refilled_penalty
from funding.service_layer.release import (
    release_for_cancellation,
    settle_training_end,
)
from funding.service_layer.unit_of_work import FundingUnitOfWork
from shared.contracts.catalog.v1 import (
    ClassCancelledV1,
    ClassChangedV1,
    ClassScheduledV1,
    CourseChangedV1,
    CoursePublishedV1,
    SeatHeldV1,
)
from shared.contracts.envelope import Envelope, IntegrationEvent
from shared.contracts.nomination.v1 import (
    FundingRequestedV1,
    NominationCancelledV1,
    NominationStateChangedV1,
    NominationWithdrawnV1,
    TrainingEndedV1,
)


def today() -> date:
    return datetime.now(UTC).date()


async def when_funding_requested_obligate_funds(
    event: FundingRequestedV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    request = FundingRequest(
        request_id=event.request_id,
        nomination_id=event.nomination_id,
        country=event.country,
        fiscal_year=event.fiscal_year,
        class_id=event.class_id,
        masl_id=event.masl_id,
        funding_source=event.funding_source,
        with_dependents=event.with_dependents,
    )
    await request_funding(uow, request, today())


async def when_nomination_withdrawn_deobligate(
    event: NominationWithdrawnV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    await release_for_cancellation(
        uow,
        event.nomination_id,
        event.masl_id,
        initiated_by=Initiator.COUNTRY,
        cancelled_on=event.withdrawn_on,
        # A code only: the SCO's words stay in the nomination service (ADR 0057).
        reason="withdrawn",
        today=today(),
    )


async def when_nomination_cancelled_deobligate(
    event: NominationCancelledV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    await release_for_cancellation(
        uow,
        event.nomination_id,
        event.masl_id,
        initiated_by=Initiator(event.initiated_by),
        cancelled_on=event.cancelled_on,
        reason=f"cancelled_{event.reason}",
        today=today(),
    )


async def when_nomination_denied_release_funds(
    event: NominationStateChangedV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    """Vetting denied a nomination that already asked for money (re-vetting after a lapsed
    approval): release it all; the U.S. side ended the line, so no penalty applies. The
    nomination's own topic orders this after its funding request, so nothing slips through."""
    if event.to_state != "vetting_denied":
        return
    active = await uow.obligations.active_for(event.nomination_id)
    pending = await uow.requests.pending(nomination_id=event.nomination_id, statuses=WAITING)
    masl_id = active.masl_id if active is not None else (pending[0].masl_id if pending else None)
    if masl_id is None:
        return
    await release_for_cancellation(
        uow,
        event.nomination_id,
        masl_id,
        initiated_by=Initiator.US_GOVERNMENT,
        cancelled_on=today(),
        reason="vetting_denied",
        today=today(),
    )


async def when_training_ended_settle_obligation(
    event: TrainingEndedV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    await settle_training_end(
        uow,
        event.nomination_id,
        completed=event.completed,
        days_attended=event.days_attended,
        today=today(),
    )


async def when_seat_held_refund_refilled_penalty(
    event: SeatHeldV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    if event.backfills_nomination_id is None:
        return
    await refund_refilled_penalty(
        uow,
        event.backfills_nomination_id,
        event.class_id,
        event.masl_id,
        refilled_by=event.nomination_id,
        today=today(),
    )


async def when_course_published_record_it(
    event: CoursePublishedV1 | CourseChangedV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    state = CourseState(
        masl_id=event.masl_id,
        title=event.title,
        category=event.category,
        dedicated_international=event.dedicated_international,
        institution_name=event.institution.name,
        government_quarters=event.institution.government_quarters,
        government_mess=event.institution.government_mess,
        active=event.active,
        version=event.version,
        tuition={rate.fiscal_year: rate.amount for rate in event.tuition},
    )
    await record_course(uow, state, today())


async def when_class_scheduled_record_it(
    event: ClassScheduledV1 | ClassChangedV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    state = ClassState(
        class_id=event.class_id,
        masl_id=event.masl_id,
        fiscal_year=event.fiscal_year,
        start_date=event.start_date,
        end_date=event.end_date,
        report_date=event.report_date,
        status=event.status,
        version=event.version,
    )
    await record_class(uow, state, today())


async def when_class_cancelled_record_it(
    event: ClassCancelledV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    await record_class_cancelled(uow, event.class_id, event.masl_id)


def reactions() -> Mapping[type[IntegrationEvent], Any]:
    return {
        FundingRequestedV1: when_funding_requested_obligate_funds,
        NominationWithdrawnV1: when_nomination_withdrawn_deobligate,
        NominationCancelledV1: when_nomination_cancelled_deobligate,
        NominationStateChangedV1: when_nomination_denied_release_funds,
        TrainingEndedV1: when_training_ended_settle_obligation,
        SeatHeldV1: when_seat_held_refund_refilled_penalty,
        CoursePublishedV1: when_course_published_record_it,
        CourseChangedV1: when_course_published_record_it,
        ClassScheduledV1: when_class_scheduled_record_it,
        ClassChangedV1: when_class_scheduled_record_it,
        ClassCancelledV1: when_class_cancelled_record_it,
    }
