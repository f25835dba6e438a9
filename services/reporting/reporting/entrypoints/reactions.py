"""How reporting keeps its read model from the four services' public topics.

Each `when_<event>_<action>` translates a contract into a projection call;
`shared/contracts/flow.py` declares which event each one handles. Reporting only listens: it
publishes nothing and reads no other schema. Called by the platform consumer inside its
transaction (inbox row and offset staged), so a redelivered event is dropped before it gets
here, and by `imet reporting rebuild`, which replays the topics from their beginning.
"""

from __future__ import annotations

from reporting.domain.facts import CourseFact, LineFact
from reporting.service_layer import projections as p
from reporting.service_layer.unit_of_work import ReportingUnitOfWork
from shared.contracts.catalog.v1 import CourseChangedV1, CoursePublishedV1
from shared.contracts.envelope import Envelope
from shared.contracts.funding.v1 import (
    AllocationChangedV1,
    AllocationSetV1,
    DeobligatedV1,
    ObligationRecordedV1,
    PenaltyChargedV1,
)
from shared.contracts.nomination.v1 import (
    CandidateChangedV1,
    NominationCreatedV1,
    NominationStateChangedV1,
    NominationSubmittedV1,
    TrainingEndedV1,
)
from shared.contracts.vetting.v1 import (
    CaseOpenedV1,
    VettingApprovedV1,
    VettingCancelledV1,
    VettingDeniedV1,
    VettingSuspendedV1,
)

OUTCOMES = {
    VettingApprovedV1.TYPE: "approved",
    VettingDeniedV1.TYPE: "denied",
    VettingSuspendedV1.TYPE: "suspended",
}


async def when_course_published_record_it(
    event: CoursePublishedV1 | CourseChangedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    course = CourseFact(
        masl_id=event.masl_id,
        title=event.title,
        category=event.category,
        institution=event.institution.name,
        location=event.institution.location,
    )
    await p.record_course(uow, course, event.version, event.TOPIC, envelope.time)


async def when_nomination_created_record_it(
    event: NominationCreatedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.record_nomination(
        uow, event.nomination_id, country=event.country, fiscal_year=event.fiscal_year,
        masl_id=event.masl_id, class_id=event.class_id, candidate_id=None, topic=event.TOPIC,
        at=envelope.time,
    )  # fmt: skip


async def when_nomination_submitted_record_it(
    event: NominationSubmittedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.record_nomination(
        uow, event.nomination_id, country=event.country, fiscal_year=event.fiscal_year,
        masl_id=event.masl_id, class_id=event.class_id, candidate_id=event.candidate_id,
        unit_name=event.unit_name, topic=event.TOPIC, at=envelope.time,
    )  # fmt: skip


async def when_candidate_changed_record_unit(
    event: CandidateChangedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.change_unit(uow, event.nomination_id, event.unit_name, event.TOPIC, envelope.time)


async def when_nomination_state_changed_record_it(
    event: NominationStateChangedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.move_nomination(uow, event.nomination_id, event.to_state, event.TOPIC, envelope.time)


async def when_training_ended_record_it(
    event: TrainingEndedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.end_training(
        uow, event.nomination_id, completed=event.completed, days_attended=event.days_attended,
        topic=event.TOPIC, at=envelope.time,
    )  # fmt: skip


async def when_obligation_recorded_record_it(
    event: ObligationRecordedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    line = LineFact(
        nomination_id=event.nomination_id,
        country=event.country,
        fiscal_year=event.fiscal_year,
        masl_id=event.masl_id,
        amount=event.amount,
        tuition=event.tuition,
        travel=event.travel,
        living_allowance=event.living_allowance,
    )
    await p.record_obligation(uow, line, event.TOPIC, envelope.time)


async def when_deobligated_record_it(
    event: DeobligatedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.record_release(
        uow, event.nomination_id, returned=event.amount_returned, lapsed=event.amount_lapsed,
        refill_refund=event.reason == "seat_refilled", topic=event.TOPIC, at=envelope.time,
    )  # fmt: skip


async def when_penalty_charged_record_it(
    event: PenaltyChargedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.record_charge(uow, event.nomination_id, event.amount, event.TOPIC, envelope.time)


async def when_allocation_set_record_it(
    event: AllocationSetV1 | AllocationChangedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.record_allocation(
        uow, event.allocation_id, country=event.country, fiscal_year=event.fiscal_year,
        amount=event.amount, topic=event.TOPIC, at=envelope.time,
    )  # fmt: skip


async def when_case_opened_record_it(
    event: CaseOpenedV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.open_case(
        uow, event.case_id, nomination_id=event.nomination_id, country=event.country,
        opened_on=event.opened_on, due_on=event.due_on, topic=event.TOPIC, at=envelope.time,
    )  # fmt: skip


async def when_vetting_decided_record_it(
    event: VettingApprovedV1 | VettingDeniedV1 | VettingSuspendedV1,
    envelope: Envelope,
    uow: ReportingUnitOfWork,
) -> None:
    await p.decide_case(
        uow, event.case_id, nomination_id=event.nomination_id, country=event.country,
        outcome=OUTCOMES[event.TYPE], on=event.decided_at.date(), topic=event.TOPIC,
        at=envelope.time,
    )  # fmt: skip


async def when_vetting_cancelled_record_it(
    event: VettingCancelledV1, envelope: Envelope, uow: ReportingUnitOfWork
) -> None:
    await p.decide_case(
        uow, event.case_id, nomination_id=event.nomination_id, country=event.country,
        outcome="cancelled", on=event.decided_at.date(), topic=event.TOPIC, at=envelope.time,
    )  # fmt: skip
