"""How funding reacts to the nomination service's and the catalog's events (ADR 0004).

Each `when_<event>_<action>` translates a contract into a command; `shared/contracts/flow.py`
declares which event each one handles, and the bootstrap binds them with `reactions_of`,
injecting the keyword-only `clock` (the bootstrap's: the one place the time is read).

Called by the platform consumer inside its transaction (inbox row and offset already staged),
so a redelivered event id is dropped before it gets here. Business refusals become events
(`obligation_rejected`); only bugs and infrastructure raise.
"""

from __future__ import annotations

from funding.domain.calendar import Clock
from funding.domain.catalog_facts import ClassState, CourseState
from funding.domain.penalties import Initiator
from funding.domain.request import FundingRequest
from funding.service_layer.catalog_facts import record_class, record_class_cancelled, record_course
from funding.service_layer.obligate import request_funding
from funding.service_layer.refills import refund_refilled_penalty
from funding.service_layer.release import (
    release_for_cancellation,
    release_for_denial,
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
from shared.contracts.envelope import Envelope
from shared.contracts.nomination.v1 import (
    FundingRequestedV1,
    NominationCancelledV1,
    NominationStateChangedV1,
    NominationWithdrawnV1,
    TrainingEndedV1,
)


async def when_funding_requested_obligate_funds(
    event: FundingRequestedV1, envelope: Envelope, uow: FundingUnitOfWork, *, clock: Clock
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
    await request_funding(uow, request, clock().date())


async def when_nomination_withdrawn_deobligate(
    event: NominationWithdrawnV1, envelope: Envelope, uow: FundingUnitOfWork, *, clock: Clock
) -> None:
    await release_for_cancellation(
        uow,
        event.nomination_id,
        event.masl_id,
        initiated_by=Initiator.COUNTRY,
        cancelled_on=event.withdrawn_on,
        # A code only: the SCO's words stay in the nomination service (ADR 0057).
        reason="withdrawn",
        today=clock().date(),
    )


async def when_nomination_cancelled_deobligate(
    event: NominationCancelledV1, envelope: Envelope, uow: FundingUnitOfWork, *, clock: Clock
) -> None:
    await release_for_cancellation(
        uow,
        event.nomination_id,
        event.masl_id,
        initiated_by=Initiator(event.initiated_by),
        cancelled_on=event.cancelled_on,
        reason=f"cancelled_{event.reason}",
        today=clock().date(),
    )


async def when_nomination_denied_release_funds(
    event: NominationStateChangedV1, envelope: Envelope, uow: FundingUnitOfWork, *, clock: Clock
) -> None:
    """Only a move to `vetting_denied` concerns funding. The nomination's own topic orders it
    after the funding request, so nothing slips through."""
    if event.to_state != "vetting_denied":
        return
    await release_for_denial(uow, event.nomination_id, clock().date())


async def when_training_ended_settle_obligation(
    event: TrainingEndedV1, envelope: Envelope, uow: FundingUnitOfWork, *, clock: Clock
) -> None:
    await settle_training_end(
        uow,
        event.nomination_id,
        completed=event.completed,
        days_attended=event.days_attended,
        today=clock().date(),
    )


async def when_seat_held_refund_refilled_penalty(
    event: SeatHeldV1, envelope: Envelope, uow: FundingUnitOfWork, *, clock: Clock
) -> None:
    if event.backfills_nomination_id is None:
        return
    await refund_refilled_penalty(
        uow,
        event.backfills_nomination_id,
        event.class_id,
        event.masl_id,
        refilled_by=event.nomination_id,
        today=clock().date(),
    )


async def when_course_published_record_it(
    event: CoursePublishedV1 | CourseChangedV1,
    envelope: Envelope,
    uow: FundingUnitOfWork,
    *,
    clock: Clock,
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
    await record_course(uow, state, clock().date())


async def when_class_scheduled_record_it(
    event: ClassScheduledV1 | ClassChangedV1,
    envelope: Envelope,
    uow: FundingUnitOfWork,
    *,
    clock: Clock,
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
    await record_class(uow, state, clock().date())


async def when_class_cancelled_record_it(
    event: ClassCancelledV1, envelope: Envelope, uow: FundingUnitOfWork
) -> None:
    await record_class_cancelled(uow, event.class_id, event.masl_id)
