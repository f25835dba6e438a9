"""Funding's reactions as its consumer binds them (`definition.reactions()`, the bootstrap's
clock fixed to the test's day), on the fakes: each event is parsed from its envelope and handled
in a unit of work whose cause is the envelope's id, like the consumer does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

import funding.bootstrap
from funding.bootstrap import definition
from funding.domain.obligation import ObligationStatus, RequestStatus
from services.funding.tests.unit.builders import (
    FY,
    NOW,
    Course,
    FakeFunding,
    country,
    course,
)
from shared.contracts.catalog import v1 as catalog
from shared.contracts.envelope import Envelope, IntegrationEvent
from shared.contracts.nomination import v1 as nomination

D = Decimal
CEILING = D("50000.00")
Reactions = dict[type[IntegrationEvent], Any]


@pytest.fixture
def reactions(monkeypatch: pytest.MonkeyPatch) -> Reactions:
    monkeypatch.setattr(funding.bootstrap, "clock", lambda: NOW)
    return dict(definition.reactions())


async def deliver(reactions: Reactions, fake: FakeFunding, event: IntegrationEvent) -> str:
    """What the consumer does with one record; returns the envelope's id."""
    envelope = Envelope(
        id=str(uuid.uuid4()),
        type=event.TYPE,
        source="/imet/test",
        time=datetime.now(UTC),
        subject=event.aggregate_id(),
        data=event.body(),
    )
    async with fake.uow(cause_event_id=envelope.id) as uow:
        await reactions[type(event)](envelope.parse(type(event)), envelope, uow)
    return envelope.id


def requested(c: Course, code: str, nomination_id: uuid.UUID) -> nomination.FundingRequestedV1:
    return nomination.FundingRequestedV1(
        nomination_id=nomination_id,
        country=code,
        request_id=uuid.uuid4(),
        class_id=c.class_id,
        masl_id=c.masl_id,
        fiscal_year=c.fiscal_year,
        funding_source="imet",
    )


def course_published(c: Course, version: int, tuition: str) -> catalog.CoursePublishedV1:
    return catalog.CoursePublishedV1(
        masl_id=c.masl_id,
        title="Test course",
        category=c.category,  # type: ignore[arg-type]
        institution=catalog.InstitutionRefV1(
            institution_id=uuid.uuid4(),
            name="DLIELC",
            location="Lackland AFB",
            government_quarters=True,
            government_mess=True,
        ),
        duration_weeks=D("2.0"),
        english_requirement=None,
        eimet_certified_on=None,
        dedicated_international=c.dedicated,
        min_class_size=1,
        max_class_size=30,
        tuition=[catalog.TuitionRateV1(fiscal_year=c.fiscal_year, amount=D(tuition))],
        version=version,
    )


def class_scheduled(c: Course) -> catalog.ClassScheduledV1:
    return catalog.ClassScheduledV1(
        class_id=c.class_id,
        masl_id=c.masl_id,
        fiscal_year=c.fiscal_year,
        start_date=c.start,
        end_date=c.end,
        report_date=c.start - timedelta(days=3),
        capacity=30,
        status="open",
        seats_held=0,
        seats_confirmed=0,
        version=1,
    )


async def _funded_line(reactions: Reactions, fake: FakeFunding, c: Course, code: str) -> uuid.UUID:
    await fake.known(c)
    await fake.funded({code: CEILING})
    nomination_id = uuid.uuid4()
    await deliver(reactions, fake, requested(c, code, nomination_id))
    return nomination_id


async def test_funding_requested_obligates_the_line_with_the_event_as_the_cause_of_its_postings(
    reactions: Reactions,
) -> None:
    fake, c, code = FakeFunding(), course(), country()
    await fake.known(c)
    await fake.funded({code: CEILING})
    nomination_id = uuid.uuid4()

    cause = await deliver(reactions, fake, requested(c, code, nomination_id))

    ob = fake.store.obligation_of(nomination_id)
    assert (ob.amount, ob.obligated_on) == (c.cost, NOW.date())
    assert [e.cause_event_id for e in fake.store.ledger if e.posting.obligation_id == ob.id] == [
        cause
    ]
    assert fake.published("obligation_recorded")[0]["nomination_id"] == str(nomination_id)


async def test_a_withdrawal_deobligates_with_a_reason_code_and_the_first_matching_penalty(
    reactions: Reactions,
) -> None:
    fake, c, code = FakeFunding(), course(tuition="6000.00"), country()
    nomination_id = await _funded_line(reactions, fake, c, code)
    withdrawn = nomination.NominationWithdrawnV1(
        nomination_id=nomination_id,
        country=code,
        class_id=c.class_id,
        masl_id=c.masl_id,
        fiscal_year=FY,
        withdrawn_on=c.start - timedelta(days=20),
        from_state="ready_for_travel",
        reason="candidate_unavailable",
    )

    await deliver(reactions, fake, withdrawn)

    assert fake.store.types()[-2:] == ["penalty_charged", "deobligated"]
    assert fake.published("deobligated")[0]["reason"] == "withdrawn"
    assert fake.published("penalty_charged")[0]["amount"] == "3000.00"
    assert fake.consistent(code)


async def test_a_cancellation_by_the_us_releases_everything_under_its_reason_code(
    reactions: Reactions,
) -> None:
    fake, c, code = FakeFunding(), course(tuition="6000.00"), country()
    nomination_id = await _funded_line(reactions, fake, c, code)
    cancelled = nomination.NominationCancelledV1(
        nomination_id=nomination_id,
        country=code,
        class_id=c.class_id,
        masl_id=c.masl_id,
        fiscal_year=FY,
        cancelled_on=c.start - timedelta(days=5),
        reason="class_cancelled",
        initiated_by="us_government",
        from_state="ready_for_travel",
    )

    await deliver(reactions, fake, cancelled)

    [deobligated] = fake.published("deobligated")
    assert (deobligated["reason"], deobligated["amount_returned"]) == (
        "cancelled_class_cancelled",
        str(c.cost),
    )
    assert fake.published("penalty_charged") == []


async def test_only_a_move_to_vetting_denied_releases_the_funds(reactions: Reactions) -> None:
    fake, c, code = FakeFunding(), course(), country()
    nomination_id = await _funded_line(reactions, fake, c, code)

    def moved(to_state: Any) -> nomination.NominationStateChangedV1:
        return nomination.NominationStateChangedV1(
            nomination_id=nomination_id, country=code, from_state="in_training", to_state=to_state
        )

    await deliver(reactions, fake, moved("completed"))
    still = fake.store.obligation_of(nomination_id).status
    await deliver(reactions, fake, moved("vetting_denied"))

    assert still is ObligationStatus.ACTIVE
    assert fake.store.obligation_of(nomination_id).status is ObligationStatus.RELEASED
    assert fake.published("deobligated")[0]["reason"] == "vetting_denied"


async def test_a_seat_held_refunds_a_charge_only_when_it_backfills_the_nomination_that_left(
    reactions: Reactions,
) -> None:
    fake, c, code = FakeFunding(), course(tuition="9000.00", dedicated=True), country()
    nomination_id = await _funded_line(reactions, fake, c, code)
    await deliver(
        reactions,
        fake,
        nomination.NominationWithdrawnV1(
            nomination_id=nomination_id,
            country=code,
            class_id=c.class_id,
            masl_id=c.masl_id,
            fiscal_year=FY,
            withdrawn_on=c.start - timedelta(days=100),
            from_state="ready_for_travel",
        ),
    )

    def held(backfills: uuid.UUID | None) -> catalog.SeatHeldV1:
        return catalog.SeatHeldV1(
            class_id=c.class_id,
            masl_id=c.masl_id,
            nomination_id=uuid.uuid4(),
            hold_expires_at=NOW + timedelta(days=30),
            seats_available=0,
            backfills_nomination_id=backfills,
        )

    await deliver(reactions, fake, held(None))
    charged = fake.store.obligation_of(nomination_id).penalty_amount
    await deliver(reactions, fake, held(nomination_id))

    assert charged == D("9000.00")
    assert fake.store.obligation_of(nomination_id).penalty_amount == D(0)
    assert fake.published("deobligated")[-1]["reason"] == "seat_refilled"
    assert fake.consistent(code)


async def test_training_ended_early_settles_the_line(reactions: Reactions) -> None:
    fake, c, code = FakeFunding(), course(), country()
    nomination_id = await _funded_line(reactions, fake, c, code)
    ended = nomination.TrainingEndedV1(
        nomination_id=nomination_id,
        country=code,
        class_id=c.class_id,
        completed=False,
        days_attended=2,
        ended_on=c.start + timedelta(days=1),
    )

    await deliver(reactions, fake, ended)

    ob = fake.store.obligation_of(nomination_id)
    assert (ob.status, ob.penalty_rule) == (ObligationStatus.TERMINATED, "non_completion")
    assert fake.consistent(code)


async def test_catalog_events_decide_a_waiting_request_and_an_older_version_never_wins(
    reactions: Reactions,
) -> None:
    fake, c, code = FakeFunding(), course(), country()
    await fake.funded({code: CEILING})
    nomination_id = uuid.uuid4()
    event = requested(c, code, nomination_id)
    await deliver(reactions, fake, event)
    await deliver(reactions, fake, course_published(c, 2, "10000.00"))
    waiting = fake.store.requests[event.request_id].status

    await deliver(reactions, fake, course_published(c, 1, "99999.00"))
    await deliver(reactions, fake, class_scheduled(c))

    assert waiting is RequestStatus.PENDING_REFERENCE_DATA
    assert fake.store.courses[c.masl_id].tuition == {FY: D("10000.00")}
    assert fake.store.obligation_of(nomination_id).tuition == D("10000.00")


async def test_a_cancelled_class_is_recorded_in_the_read_model(reactions: Reactions) -> None:
    fake, c = FakeFunding(), course()
    await fake.known(c)

    await deliver(
        reactions,
        fake,
        catalog.ClassCancelledV1(
            class_id=c.class_id,
            masl_id=c.masl_id,
            reason="insufficient_enrollment",
            cancelled_at=NOW,
            affected_nomination_ids=[],
        ),
    )

    assert fake.store.classes[c.class_id].status == "cancelled"
    assert [a.action for a in fake.store.audits][-1] == "class.cancelled"
