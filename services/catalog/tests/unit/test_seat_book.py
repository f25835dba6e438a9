"""Seat arithmetic and the waitlist: holds, confirmations, releases, promotion, cancellation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from catalog.domain.events import (
    ClassCancelled,
    ClassChanged,
    ReleaseReason,
    SeatConfirmed,
    SeatHeld,
    SeatReleased,
    SeatStatus,
    SeatWaitlisted,
)
from catalog.domain.offering import ClassStatus, CourseClass
from catalog.domain.seats import HoldPolicy, Seat, SeatBook

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POLICY = HoldPolicy(lead_days=16, min_hours=24)


def a_class(capacity: int = 2, status: ClassStatus = ClassStatus.OPEN) -> CourseClass:
    return CourseClass(
        id=uuid.uuid4(),
        masl_id="D177014",
        start_date=date(2027, 3, 1),
        end_date=date(2027, 5, 1),
        report_date=date(2027, 2, 26),
        capacity=capacity,
        status=status,
    )


def book(offering: CourseClass, now: datetime = NOW) -> SeatBook:
    return SeatBook(offering, POLICY, now)


def test_a_hold_lasts_until_the_lead_days_before_reporting() -> None:
    expires = POLICY.expires_at(date(2027, 2, 26), NOW)

    assert expires == datetime(2027, 2, 10, tzinfo=UTC)


def test_a_hold_lasts_at_least_the_minimum_even_close_to_reporting() -> None:
    expires = POLICY.expires_at(date(2026, 12, 1), NOW)

    assert expires == NOW + timedelta(hours=24)


def test_a_free_seat_is_held_and_the_last_one_fills_the_class() -> None:
    seats = book(a_class(capacity=2))

    first = seats.request(uuid.uuid4(), "GTM")
    second = seats.request(uuid.uuid4(), "HND")
    seats.settle()

    assert first is not None
    assert first.status is SeatStatus.HELD
    assert second is not None
    assert second.hold_expires_at == datetime(2027, 2, 10, tzinfo=UTC)
    assert seats.offering.status is ClassStatus.FULL
    assert [type(e) for e in seats.events] == [SeatHeld, SeatHeld, ClassChanged]
    assert [e.seats_available for e in seats.events if isinstance(e, SeatHeld)] == [1, 0]


def test_a_full_class_waitlists_in_arrival_order() -> None:
    seats = book(a_class(capacity=1))
    seats.request(uuid.uuid4(), "GTM")

    waiting = [seats.request(uuid.uuid4(), "GTM") for _ in range(3)]

    assert [s.status for s in waiting if s] == [SeatStatus.WAITLISTED] * 3
    assert [e.position for e in seats.events if isinstance(e, SeatWaitlisted)] == [1, 2, 3]
    assert [s.waitlist_seq for s in waiting if s] == [1, 2, 3]
    assert seats.offering.seats_waitlisted == 3


@pytest.mark.parametrize("status", [ClassStatus.CLOSED, ClassStatus.CANCELLED])
def test_a_closed_or_cancelled_class_tells_the_nomination_it_has_no_seat(
    status: ClassStatus,
) -> None:
    seats = book(a_class(status=status))
    nomination = uuid.uuid4()

    seat = seats.request(nomination, "GTM")

    assert seat is None
    assert seats.events == [
        SeatReleased(
            seats.offering.id,
            "D177014",
            nomination,
            ReleaseReason.CLASS_CANCELLED,
            SeatStatus.WAITLISTED,
        )
    ]


def test_confirming_a_live_hold_makes_it_a_confirmed_seat() -> None:
    seats = book(a_class())
    seat = seats.request(uuid.uuid4(), "GTM")
    assert seat is not None

    confirmed = seats.confirm(seat)

    assert confirmed
    assert seat.status is SeatStatus.CONFIRMED
    assert (seats.offering.seats_held, seats.offering.seats_confirmed) == (0, 1)
    assert isinstance(seats.events[-1], SeatConfirmed)


def test_confirming_twice_changes_nothing_the_second_time() -> None:
    seats = book(a_class())
    seat = seats.request(uuid.uuid4(), "GTM")
    assert seat is not None
    seats.confirm(seat)
    events = len(seats.events)

    again = seats.confirm(seat)

    assert not again
    assert len(seats.events) == events
    assert seats.offering.seats_confirmed == 1


def test_a_lapsed_hold_cannot_be_confirmed_and_is_released() -> None:
    seat = Seat(
        uuid.uuid4(), uuid.uuid4(), SeatStatus.HELD, hold_expires_at=NOW - timedelta(seconds=1)
    )
    offering = a_class()
    offering.seats_held = 1
    seats = book(offering)

    confirmed = seats.confirm(seat)

    assert not confirmed
    assert seat.status is SeatStatus.RELEASED
    assert seat.release_reason is ReleaseReason.HOLD_EXPIRED
    assert offering.seats_held == 0


def test_a_freed_seat_goes_to_the_first_waitlisted_who_refills_it() -> None:
    seats = book(a_class(capacity=1))
    holder = seats.request(uuid.uuid4(), "GTM")
    waiting = [seats.request(uuid.uuid4(), "GTM") for _ in range(2)]
    seats.settle()
    assert holder is not None
    assert all(waiting)

    seats.release(holder, ReleaseReason.WITHDRAWN)
    promoted = seats.promote([s for s in reversed(waiting) if s])
    seats.settle()

    assert promoted == [waiting[0]]
    held = seats.events[-1]
    assert isinstance(held, SeatHeld)
    assert held.promoted_from_waitlist
    assert held.backfills_nomination_id == holder.nomination_id
    assert (seats.offering.seats_held, seats.offering.seats_waitlisted) == (1, 1)
    assert seats.offering.status is ClassStatus.FULL


def test_leaving_the_waitlist_frees_no_seat() -> None:
    seats = book(a_class(capacity=1))
    seats.request(uuid.uuid4(), "GTM")
    waiting = seats.request(uuid.uuid4(), "GTM")
    assert waiting is not None

    freed = seats.release(waiting, ReleaseReason.VETTING_DENIED)

    assert not freed
    assert seats.promotable() == 0
    assert seats.events[-1] == SeatReleased(
        seats.offering.id,
        "D177014",
        waiting.nomination_id,
        ReleaseReason.VETTING_DENIED,
        SeatStatus.WAITLISTED,
    )


def test_a_released_seat_reopens_a_full_class_when_nobody_waits() -> None:
    offering = a_class(capacity=1)
    seats = book(offering)
    seat = seats.request(uuid.uuid4(), "GTM")
    seats.settle()
    assert seat is not None
    assert offering.status is ClassStatus.FULL

    seats.release(seat, ReleaseReason.CANCELLED)
    seats.settle()

    assert offering.status is ClassStatus.OPEN
    assert offering.seats_available == 1


def test_cancelling_a_class_releases_every_seat_and_names_the_nominations() -> None:
    seats = book(a_class(capacity=1))
    occupied = [seats.request(uuid.uuid4(), "GTM") for _ in range(3)]
    active = [s for s in occupied if s]

    seats.cancel_class(active, "Instructor shortage")

    assert all(s.status is SeatStatus.RELEASED for s in active)
    assert {s.release_reason for s in active} == {ReleaseReason.CLASS_CANCELLED}
    cancelled = next(e for e in seats.events if isinstance(e, ClassCancelled))
    assert set(cancelled.affected_nomination_ids) == {s.nomination_id for s in active}
    assert seats.offering.status is ClassStatus.CANCELLED
    assert seats.offering.occupied == 0
    assert seats.promotable() == 0


def test_a_closed_class_offers_no_seat_but_still_promotes_its_waitlist() -> None:
    offering = a_class(capacity=1)
    seats = book(offering)
    holder = seats.request(uuid.uuid4(), "GTM")
    waiting = seats.request(uuid.uuid4(), "GTM")
    assert holder is not None
    assert waiting is not None
    offering.close()

    seats.release(holder, ReleaseReason.WITHDRAWN)
    seats.promote([waiting])

    assert waiting.status is SeatStatus.HELD
    assert offering.seats_available == 0
    assert offering.status is ClassStatus.CLOSED
