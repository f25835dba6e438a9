"""Seats of a class: holds, confirmations, releases and the waitlist.

Rules (the seat book applies them to one class while the caller holds that class's lock):
- A nomination gets a HOLD while a seat is free and nobody waits; otherwise it joins the end of
  the WAITLIST. A closed or cancelled class takes nobody: the nomination is told it has no seat.
- A hold lasts until `report date - lead days`, but at least `min hours` from when it is placed;
  a hold that has lapsed cannot be confirmed (it is released as `hold_expired`).
- CONFIRM turns a live hold into a confirmed seat; confirmed seats never expire.
- RELEASE gives up a hold, a confirmed seat or a waitlist place. Every freed seat goes to the
  first waitlisted nomination (first come, first served), whose new hold records the
  nomination whose release freed it (`backfills`).
- Held + confirmed never exceed capacity; `open`/`full` follow the free seats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from catalog.domain.events import (
    ClassCancelled,
    ClassChanged,
    DomainEvent,
    ReleaseReason,
    SeatConfirmed,
    SeatHeld,
    SeatReleased,
    SeatStatus,
    SeatWaitlisted,
)
from catalog.domain.offering import ClassStatus, CourseClass


class OverbookingRefused(RuntimeError):
    """A hold would exceed capacity: a bug in the caller, never a business outcome."""


@dataclass
class Seat:
    """One nomination's place in one class (a single row for its whole life)."""

    class_id: UUID
    nomination_id: UUID
    status: SeatStatus
    country: str | None = None
    hold_expires_at: datetime | None = None
    waitlist_seq: int | None = None
    promoted_from_waitlist: bool = False
    backfills_nomination_id: UUID | None = None
    released_from: SeatStatus | None = None
    release_reason: ReleaseReason | None = None
    created_at: datetime | None = None
    held_at: datetime | None = None
    confirmed_at: datetime | None = None
    released_at: datetime | None = None


@dataclass(frozen=True)
class HoldPolicy:
    lead_days: int
    min_hours: int

    def expires_at(self, report_date: date, now: datetime) -> datetime:
        """`report date - lead days` (00:00 UTC), but never sooner than `min hours` from now."""
        deadline = datetime.combine(
            report_date - timedelta(days=self.lead_days), time.min, tzinfo=UTC
        )
        return max(deadline, now + timedelta(hours=self.min_hours))


@dataclass
class SeatBook:
    """The seat operations on one class; collects the domain events they cause."""

    offering: CourseClass
    policy: HoldPolicy
    now: datetime
    events: list[DomainEvent] = field(default_factory=list)
    _freed_by: list[UUID] = field(default_factory=list)

    def request(self, nomination_id: UUID, country: str | None) -> Seat | None:
        """Hold a free seat, or waitlist; None (and a release notice) if the class takes nobody."""
        o = self.offering
        if not o.accepting_nominations:
            self.events.append(
                SeatReleased(
                    o.id,
                    o.masl_id,
                    nomination_id,
                    ReleaseReason.CLASS_CANCELLED,
                    SeatStatus.WAITLISTED,
                )
            )
            return None
        seat = Seat(
            o.id, nomination_id, SeatStatus.WAITLISTED, country=country, created_at=self.now
        )
        if o.free_seats > 0 and o.seats_waitlisted == 0:
            self._hold(seat, promoted=False, backfills=None)
        else:
            o.last_waitlist_seq += 1
            o.seats_waitlisted += 1
            seat.waitlist_seq = o.last_waitlist_seq
            self.events.append(
                SeatWaitlisted(o.id, o.masl_id, nomination_id, position=o.seats_waitlisted)
            )
        return seat

    def hold_lapsed(self, seat: Seat) -> bool:
        return (
            seat.status is SeatStatus.HELD
            and seat.hold_expires_at is not None
            and seat.hold_expires_at <= self.now
        )

    def confirm(self, seat: Seat) -> bool:
        """Confirm a live hold (a lapsed one is released instead); False if none was confirmed."""
        if seat.status is not SeatStatus.HELD:
            return False
        if self.hold_lapsed(seat):
            self.release(seat, ReleaseReason.HOLD_EXPIRED)
            return False
        o = self.offering
        o.seats_held -= 1
        o.seats_confirmed += 1
        seat.status, seat.confirmed_at = SeatStatus.CONFIRMED, self.now
        self.events.append(SeatConfirmed(o.id, o.masl_id, seat.nomination_id))
        return True

    def release(self, seat: Seat, reason: ReleaseReason) -> bool:
        """Give up the seat or waitlist place; True when a seat (not a waitlist place) was freed."""
        was = seat.status
        if was is SeatStatus.RELEASED:
            return False
        o = self.offering
        if was is SeatStatus.HELD:
            o.seats_held -= 1
        elif was is SeatStatus.CONFIRMED:
            o.seats_confirmed -= 1
        else:
            o.seats_waitlisted -= 1
        seat.status, seat.released_from, seat.release_reason, seat.released_at = (
            SeatStatus.RELEASED,
            was,
            reason,
            self.now,
        )
        self.events.append(SeatReleased(o.id, o.masl_id, seat.nomination_id, reason, was))
        if was is SeatStatus.WAITLISTED:
            return False
        self._freed_by.append(seat.nomination_id)
        return True

    def promotable(self) -> int:
        """How many waitlisted nominations the free seats can take now."""
        o = self.offering
        if o.status is ClassStatus.CANCELLED:
            return 0
        return min(o.free_seats, o.seats_waitlisted)

    def promote(self, waitlist: Sequence[Seat]) -> list[Seat]:
        """Hold free seats for the first waitlisted nominations, in waitlist order."""
        promoted = []
        ordered = sorted(
            (s for s in waitlist if s.status is SeatStatus.WAITLISTED), key=_waitlist_order
        )
        for seat in ordered[: self.promotable()]:
            self.offering.seats_waitlisted -= 1
            backfills = self._freed_by.pop(0) if self._freed_by else None
            self._hold(seat, promoted=True, backfills=backfills)
            promoted.append(seat)
        return promoted

    def cancel_class(self, seats: Iterable[Seat], reason: str, reason_code: str = "other") -> None:
        """Cancel the class: every hold, confirmed seat and waitlist place is released. The
        `reason` text stays with the class; only `reason_code` is told to other services."""
        o = self.offering
        o.ensure_not_cancelled()
        affected = []
        for seat in sorted(seats, key=lambda s: (s.created_at or self.now, str(s.nomination_id))):
            if seat.status is not SeatStatus.RELEASED:
                self.release(seat, ReleaseReason.CLASS_CANCELLED)
                affected.append(seat.nomination_id)
        self._freed_by.clear()
        o.status, o.cancel_reason, o.cancelled_at = ClassStatus.CANCELLED, reason, self.now
        o.version += 1
        self.events.append(
            ClassCancelled(o.id, o.masl_id, reason, self.now, tuple(affected), reason_code)
        )
        self.events.append(ClassChanged(o.id))

    def settle(self) -> None:
        """Move the class between `open` and `full` as its free seats say; tell consumers."""
        o = self.offering
        if o.status not in (ClassStatus.OPEN, ClassStatus.FULL):
            return
        status = ClassStatus.FULL if o.free_seats == 0 else ClassStatus.OPEN
        if status is not o.status:
            o.status = status
            o.version += 1
            self.events.append(ClassChanged(o.id))

    def _hold(self, seat: Seat, *, promoted: bool, backfills: UUID | None) -> None:
        o = self.offering
        if o.free_seats < 1:
            raise OverbookingRefused(f"class {o.id} has no free seat")
        o.seats_held += 1
        seat.status, seat.held_at = SeatStatus.HELD, self.now
        seat.hold_expires_at = self.policy.expires_at(o.report_date, self.now)
        seat.promoted_from_waitlist, seat.backfills_nomination_id = promoted, backfills
        self.events.append(
            SeatHeld(
                o.id,
                o.masl_id,
                seat.nomination_id,
                seat.hold_expires_at,
                o.seats_available,
                promoted_from_waitlist=promoted,
                backfills_nomination_id=backfills,
            )
        )


def _waitlist_order(seat: Seat) -> int:
    assert seat.waitlist_seq is not None
    return seat.waitlist_seq
