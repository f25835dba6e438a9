"""The catalog's reactions, as its consumer binds them (`definition.reactions()`), on the fakes:
each event is parsed from its envelope and applied in a unit of work, like the consumer does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from catalog.bootstrap import definition
from catalog.domain.events import ReleaseReason, SeatStatus
from catalog.domain.offering import CourseClass
from services.catalog.tests.unit.builders import FakeCatalog
from services.catalog.tests.unit.fakes import FakeCatalogUnitOfWork
from shared.contracts.catalog import v1
from shared.contracts.envelope import Envelope, IntegrationEvent
from shared.contracts.funding.v1 import ObligationRecordedV1
from shared.contracts.nomination.v1 import (
    NominationCancelledV1,
    NominationSubmittedV1,
    NominationWithdrawnV1,
)
from shared.contracts.vetting.v1 import VettingDeniedV1

Reactions = dict[type[IntegrationEvent], Any]


@pytest.fixture
def reactions(monkeypatch: pytest.MonkeyPatch) -> Reactions:
    monkeypatch.setenv("CATALOG_DATABASE_URL", "postgresql://u@127.0.0.1:9/x")  # never connected
    return dict(definition.reactions())


async def deliver(
    reactions: Reactions, uow: FakeCatalogUnitOfWork, event: IntegrationEvent
) -> None:
    """What the consumer does with one record: parse the envelope's body, react, flush."""
    envelope = Envelope(
        id=str(uuid.uuid4()),
        type=event.TYPE,
        source="/imet/test",
        time=datetime.now(UTC),
        subject=event.aggregate_id(),
        data=event.body(),
    )
    uow.cause_event_id = envelope.id
    await reactions[type(event)](envelope.parse(type(event)), envelope, uow)
    await uow.flush_staged()


def submitted(offering: CourseClass, nomination_id: uuid.UUID) -> NominationSubmittedV1:
    return NominationSubmittedV1(
        nomination_id=nomination_id,
        country="GTM",
        candidate_id=uuid.uuid4(),
        person_fingerprint="f" * 64,
        unit_name="1st Infantry Brigade",
        class_id=offering.id,
        masl_id=offering.masl_id,
        fiscal_year=offering.fiscal_year,
        funding_source="imet",
        start_date=offering.start_date,
        end_date=offering.end_date,
        report_date=offering.report_date,
        submitted_at=datetime.now(UTC),
    )


def obligated(offering: CourseClass, nomination_id: uuid.UUID) -> ObligationRecordedV1:
    money = Decimal("1000.00")
    return ObligationRecordedV1(
        nomination_id=nomination_id,
        country="GTM",
        fiscal_year=offering.fiscal_year,
        obligation_id=uuid.uuid4(),
        class_id=offering.id,
        masl_id=offering.masl_id,
        funding_source="imet",
        amount=money,
        tuition=money,
        travel=money,
        living_allowance=money,
    )


def withdrawn(offering: CourseClass, nomination_id: uuid.UUID) -> NominationWithdrawnV1:
    return NominationWithdrawnV1(
        nomination_id=nomination_id,
        country="GTM",
        class_id=offering.id,
        masl_id=offering.masl_id,
        fiscal_year=offering.fiscal_year,
        withdrawn_on=datetime.now(UTC).date(),
        from_state="vetting",
    )


def cancelled(offering: CourseClass, nomination_id: uuid.UUID) -> NominationCancelledV1:
    return NominationCancelledV1(
        nomination_id=nomination_id,
        country="GTM",
        class_id=offering.id,
        masl_id=offering.masl_id,
        fiscal_year=offering.fiscal_year,
        reason="administrative",
        initiated_by="us_government",
        cancelled_on=datetime.now(UTC).date(),
        from_state="vetting",
    )


def denied(nomination_id: uuid.UUID) -> VettingDeniedV1:
    return VettingDeniedV1(
        case_id=uuid.uuid4(),
        nomination_id=nomination_id,
        country="GTM",
        decided_at=datetime.now(UTC),
        reason_code="derogatory_information",
    )


def test_the_consumer_binds_one_reaction_per_event_the_catalog_declares(
    reactions: Reactions,
) -> None:
    assert {model: r.__name__ for model, r in reactions.items()} == {
        NominationSubmittedV1: "when_nomination_submitted_hold_seat",
        ObligationRecordedV1: "when_obligation_recorded_confirm_seat",
        NominationWithdrawnV1: "when_nomination_withdrawn_release_seat",
        NominationCancelledV1: "when_nomination_cancelled_release_seat",
        VettingDeniedV1: "when_vetting_denied_release_seat",
    }


async def test_a_submission_twice_holds_one_seat_and_funds_confirm_it(reactions: Reactions) -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=3)
    nomination = uuid.uuid4()

    async with catalog.uow() as uow:
        await deliver(reactions, uow, submitted(offering, nomination))
        await deliver(reactions, uow, submitted(offering, nomination))
        await deliver(reactions, uow, obligated(offering, nomination))
        await deliver(reactions, uow, obligated(offering, nomination))
        await uow.commit()

    assert [type(e) for e in uow.committed_events] == [v1.SeatHeldV1, v1.SeatConfirmedV1]
    assert catalog.seats(offering.id)[nomination].status is SeatStatus.CONFIRMED
    assert {a.action for a in uow.committed_audits} == {"seat.held", "seat.confirmed"}


async def test_a_withdrawal_or_cancellation_frees_the_seat_for_the_waitlist(
    reactions: Reactions,
) -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=1)
    holder, first, second = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with catalog.uow() as uow:
        for nomination in (holder, first, second):
            await deliver(reactions, uow, submitted(offering, nomination))
        await uow.commit()

    async with catalog.uow() as uow:
        await deliver(reactions, uow, withdrawn(offering, holder))
        await deliver(reactions, uow, cancelled(offering, first))
        await uow.commit()

    held = [e for e in uow.committed_events if isinstance(e, v1.SeatHeldV1)]
    assert [(e.nomination_id, e.backfills_nomination_id) for e in held] == [
        (first, holder),
        (second, first),
    ]
    released = [e for e in uow.committed_events if isinstance(e, v1.SeatReleasedV1)]
    assert [(e.nomination_id, e.reason) for e in released] == [
        (holder, "withdrawn"),
        (first, "cancelled"),
    ]
    assert catalog.seats(offering.id)[second].status is SeatStatus.HELD


async def test_a_denial_that_overtakes_the_submission_leaves_no_seat_behind(
    reactions: Reactions,
) -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)
    early, late = uuid.uuid4(), uuid.uuid4()

    async with catalog.uow() as uow:
        await deliver(reactions, uow, denied(early))
        await deliver(reactions, uow, submitted(offering, early))
        await deliver(reactions, uow, submitted(offering, late))
        await deliver(reactions, uow, denied(late))
        await uow.commit()

    seats = catalog.seats(offering.id)
    assert early not in seats
    assert (seats[late].status, seats[late].release_reason) == (
        SeatStatus.RELEASED,
        ReleaseReason.VETTING_DENIED,
    )
    assert [e.nomination_id for e in uow.committed_events if isinstance(e, v1.SeatHeldV1)] == [late]
