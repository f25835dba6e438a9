"""Seat use cases on the fakes: hold or waitlist, confirm, release with promotion, expiry."""

from __future__ import annotations

import uuid
from datetime import timedelta

from catalog.domain.events import ReleaseReason, SeatStatus
from catalog.service_layer.seating import (
    confirm_seat,
    expire_lapsed_holds,
    release_seat,
    request_seat,
)
from services.catalog.tests.unit.builders import NOW, POLICY, FakeCatalog
from shared.contracts.catalog import v1


async def test_a_request_holds_a_free_seat_until_the_lead_days_before_reporting() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)

    nomination = await catalog.submit(offering)

    seat = catalog.seats(offering.id)[nomination]
    assert seat.status is SeatStatus.HELD
    assert seat.hold_expires_at is not None
    assert seat.hold_expires_at.date() == offering.report_date - timedelta(days=16)
    held = catalog.published()[-1]
    assert isinstance(held, v1.SeatHeldV1)
    assert (held.nomination_id, held.seats_available) == (nomination, 1)
    assert (await catalog.stored_class(offering.id)).seats_held == 1


async def test_a_full_class_waitlists_in_arrival_order_and_the_last_seat_makes_it_full() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=1)

    holder = await catalog.submit(offering)
    first, second = await catalog.submit(offering), await catalog.submit(offering)

    seats = catalog.seats(offering.id)
    assert seats[holder].status is SeatStatus.HELD
    assert (seats[first].status, seats[second].status) == (SeatStatus.WAITLISTED,) * 2
    waitlisted = [e for e in catalog.published() if isinstance(e, v1.SeatWaitlistedV1)]
    assert [(e.nomination_id, e.position) for e in waitlisted] == [(first, 1), (second, 2)]
    assert catalog.kinds()[-4:] == [
        "seat_held",
        "class_changed",
        "seat_waitlisted",
        "seat_waitlisted",
    ]
    assert (await catalog.stored_class(offering.id)).status.value == "full"


async def test_funds_confirm_a_live_hold_once_and_nothing_without_a_hold() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)
    nomination = await catalog.submit(offering)

    async with catalog.uow() as uow:
        first = await confirm_seat(
            uow, class_id=offering.id, nomination_id=nomination, policy=POLICY, now=NOW
        )
        again = await confirm_seat(
            uow, class_id=offering.id, nomination_id=nomination, policy=POLICY, now=NOW
        )
        stranger = await confirm_seat(
            uow, class_id=offering.id, nomination_id=uuid.uuid4(), policy=POLICY, now=NOW
        )
        await uow.commit()

    assert (first, again, stranger) == (True, False, False)
    assert catalog.seats(offering.id)[nomination].status is SeatStatus.CONFIRMED
    assert catalog.kinds().count("seat_confirmed") == 1
    stored = await catalog.stored_class(offering.id)
    assert (stored.seats_held, stored.seats_confirmed) == (0, 1)
    assert ("seat.confirmed", f"{offering.id}:{nomination}") in [
        (a.action, a.entity_id) for a in uow.committed_audits
    ]


async def test_funds_after_the_hold_lapsed_release_it_and_offer_the_seat_to_the_waitlist() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=1)
    lapsing, waiting = await catalog.submit(offering), await catalog.submit(offering)
    expiry = catalog.seats(offering.id)[lapsing].hold_expires_at
    assert expiry is not None

    async with catalog.uow() as uow:
        confirmed = await confirm_seat(
            uow,
            class_id=offering.id,
            nomination_id=lapsing,
            policy=POLICY,
            now=expiry + timedelta(minutes=1),
        )
        await uow.commit()

    assert confirmed is False
    seats = catalog.seats(offering.id)
    assert (seats[lapsing].status, seats[lapsing].release_reason) == (
        SeatStatus.RELEASED,
        ReleaseReason.HOLD_EXPIRED,
    )
    assert seats[waiting].status is SeatStatus.HELD
    assert seats[waiting].backfills_nomination_id == lapsing


async def test_a_release_frees_the_seat_for_the_first_waitlisted_nomination() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=1)
    holder, first, second = [await catalog.submit(offering) for _ in range(3)]

    async with catalog.uow() as uow:
        await release_seat(
            uow, nomination_id=holder, reason=ReleaseReason.WITHDRAWN, policy=POLICY, now=NOW
        )
        await uow.commit()

    released, promoted = uow.committed_events[0], uow.committed_events[1]
    assert isinstance(released, v1.SeatReleasedV1)
    assert (released.nomination_id, released.reason, released.was) == (holder, "withdrawn", "held")
    assert isinstance(promoted, v1.SeatHeldV1)
    assert (promoted.nomination_id, promoted.promoted_from_waitlist) == (first, True)
    assert promoted.backfills_nomination_id == holder
    seats = catalog.seats(offering.id)
    assert (seats[first].status, seats[second].status) == (SeatStatus.HELD, SeatStatus.WAITLISTED)


async def test_a_release_before_the_request_is_remembered_and_the_request_then_ignored() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)
    early = uuid.uuid4()

    async with catalog.uow() as uow:
        await release_seat(
            uow, nomination_id=early, reason=ReleaseReason.VETTING_DENIED, policy=POLICY, now=NOW
        )
        await uow.commit()
    await catalog.submit(offering, early)

    assert early not in catalog.seats(offering.id)
    assert catalog.store.early_releases == {early: ReleaseReason.VETTING_DENIED}
    assert [a.action for a in uow.committed_audits] == ["seat.release_recorded_before_request"]
    assert "seat_held" not in catalog.kinds()


async def test_a_repeated_request_or_release_changes_nothing() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)
    nomination = await catalog.submit(offering)
    await catalog.submit(offering, nomination)
    async with catalog.uow() as uow:
        for _ in range(2):
            await release_seat(
                uow,
                nomination_id=nomination,
                reason=ReleaseReason.CANCELLED,
                policy=POLICY,
                now=NOW,
            )
        await uow.commit()

    assert catalog.kinds().count("seat_held") == 1
    assert [e.TYPE for e in uow.committed_events] == ["imet.catalog.seat_released.v1"]
    assert catalog.seats(offering.id)[nomination].release_reason is ReleaseReason.CANCELLED


async def test_a_request_for_an_unknown_class_is_told_there_is_no_seat() -> None:
    catalog = FakeCatalog()
    class_id, nomination = uuid.uuid4(), uuid.uuid4()

    async with catalog.uow() as uow:
        await request_seat(
            uow,
            class_id=class_id,
            masl_id="D177014",
            nomination_id=nomination,
            country="GTM",
            policy=POLICY,
            now=NOW,
        )
        await uow.commit()

    [released] = uow.committed_events
    assert isinstance(released, v1.SeatReleasedV1)
    assert (released.class_id, released.reason, released.was) == (
        class_id,
        "class_cancelled",
        "waitlisted",
    )
    assert catalog.store.seats == {}


async def test_lapsed_holds_expire_and_refill_but_confirmed_seats_stay() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)
    lapsing, confirmed, waiting = [await catalog.submit(offering) for _ in range(3)]
    async with catalog.uow() as uow:
        await confirm_seat(
            uow, class_id=offering.id, nomination_id=confirmed, policy=POLICY, now=NOW
        )
        await uow.commit()
    expiry = catalog.seats(offering.id)[lapsing].hold_expires_at
    assert expiry is not None

    async with catalog.uow() as uow:
        released = await expire_lapsed_holds(
            uow, class_id=offering.id, policy=POLICY, now=expiry + timedelta(seconds=1)
        )
        await uow.commit()

    assert released == 1
    seats = catalog.seats(offering.id)
    assert seats[lapsing].release_reason is ReleaseReason.HOLD_EXPIRED
    assert seats[confirmed].status is SeatStatus.CONFIRMED
    assert (seats[waiting].status, seats[waiting].backfills_nomination_id) == (
        SeatStatus.HELD,
        lapsing,
    )


async def test_a_unit_of_work_left_without_commit_keeps_no_seat_and_publishes_nothing() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)

    async with catalog.uow() as uow:
        await request_seat(
            uow,
            class_id=offering.id,
            masl_id=offering.masl_id,
            nomination_id=uuid.uuid4(),
            country="GTM",
            policy=POLICY,
            now=NOW,
        )

    assert catalog.seats(offering.id) == {}
    assert uow.committed_events == []
