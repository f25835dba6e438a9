"""Whatever happens to a class's seats, in whatever order, capacity is never exceeded, the
counters match the seats, and the waitlist is served first come, first served."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from catalog.domain.events import ReleaseReason, SeatHeld, SeatStatus
from catalog.domain.offering import ClassStatus, CourseClass
from catalog.domain.seats import HoldPolicy, Seat, SeatBook

POLICY = HoldPolicy(lead_days=16, min_hours=24)
START = datetime(2026, 11, 28, tzinfo=UTC)


class SeatsOfOneClass(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.offering = CourseClass(
            id=uuid.uuid4(),
            masl_id="P309100",
            start_date=date(2027, 3, 1),
            end_date=date(2027, 5, 1),
            report_date=date(2027, 2, 26),
            capacity=3,
        )
        self.seats: list[Seat] = []
        self.now = START

    def _book(self) -> SeatBook:
        return SeatBook(self.offering, POLICY, self.now)

    def _active(self, status: SeatStatus) -> list[Seat]:
        return [s for s in self.seats if s.status is status]

    def _apply_and_promote(self, book: SeatBook) -> None:
        waitlist = sorted(self._active(SeatStatus.WAITLISTED), key=lambda s: s.waitlist_seq or 0)
        expected = waitlist[: book.promotable()]
        promoted = book.promote(waitlist)
        assert promoted == expected
        book.settle()

    @rule(country=st.sampled_from(["GTM", "HND", "SLV"]))
    def submit(self, country: str) -> None:
        book = self._book()
        seat = book.request(uuid.uuid4(), country)
        if seat is not None:
            self.seats.append(seat)
        book.settle()

    @precondition(lambda self: any(s.status is SeatStatus.HELD for s in self.seats))
    @rule(pick=st.integers(0, 100))
    def obligate(self, pick: int) -> None:
        held = self._active(SeatStatus.HELD)
        book = self._book()
        book.confirm(held[pick % len(held)])
        self._apply_and_promote(book)

    @precondition(lambda self: any(s.status is not SeatStatus.RELEASED for s in self.seats))
    @rule(pick=st.integers(0, 100), reason=st.sampled_from(list(ReleaseReason)))
    def release(self, pick: int, reason: ReleaseReason) -> None:
        active = [s for s in self.seats if s.status is not SeatStatus.RELEASED]
        book = self._book()
        book.release(active[pick % len(active)], reason)
        self._apply_and_promote(book)
        backfills = [e.backfills_nomination_id for e in book.events if isinstance(e, SeatHeld)]
        assert all(b is not None for b in backfills)

    @rule(hours=st.integers(1, 24 * 120))
    def time_passes_and_lapsed_holds_expire(self, hours: int) -> None:
        self.now += timedelta(hours=hours)
        book = self._book()
        for seat in self._active(SeatStatus.HELD):
            if book.hold_lapsed(seat):
                book.release(seat, ReleaseReason.HOLD_EXPIRED)
        self._apply_and_promote(book)

    @rule(capacity=st.integers(1, 6))
    def manager_changes_capacity(self, capacity: int) -> None:
        if capacity < self.offering.occupied:
            return
        self.offering.capacity = capacity
        self._apply_and_promote(self._book())

    @invariant()
    def capacity_is_never_exceeded(self) -> None:
        assert self.offering.seats_held + self.offering.seats_confirmed <= self.offering.capacity

    @invariant()
    def counters_match_the_seats(self) -> None:
        assert self.offering.seats_held == len(self._active(SeatStatus.HELD))
        assert self.offering.seats_confirmed == len(self._active(SeatStatus.CONFIRMED))
        assert self.offering.seats_waitlisted == len(self._active(SeatStatus.WAITLISTED))

    @invariant()
    def nobody_waits_while_a_seat_is_free(self) -> None:
        if self._active(SeatStatus.WAITLISTED):
            assert self.offering.free_seats == 0

    @invariant()
    def open_and_full_follow_the_free_seats(self) -> None:
        expected = ClassStatus.FULL if self.offering.free_seats == 0 else ClassStatus.OPEN
        assert self.offering.status is expected


SeatsOfOneClass.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None
)
TestSeatsOfOneClass = SeatsOfOneClass.TestCase
