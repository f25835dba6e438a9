"""Seat use cases: hold or waitlist, confirm, release (with waitlist promotion), expire holds.

Every seat change of a class runs while the class row is locked (`SELECT ... FOR UPDATE`), so
the seat book decides on counters no one else can change meanwhile; the database re-checks
`held + confirmed <= capacity` on every seat write (ADR 0010). A nomination's request and
its releases also take a per-nomination lock first, so a release that overtakes the request
(vetting denied before the catalog saw the submission) is either applied to the seat or
remembered and honoured when the request comes.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from catalog.domain.events import ACTIVE_SEAT_STATUSES, ReleaseReason, SeatReleased, SeatStatus
from catalog.domain.seats import HoldPolicy, Seat, SeatBook
from catalog.service_layer.unit_of_work import CatalogUnitOfWork, snapshot
from shared.observability import get_logger

log = get_logger("catalog.seating")

# Write order within a transaction: seats that free capacity first, then those that take it,
# so the capacity check never sees an intermediate state above capacity.
_WRITE_ORDER = {
    SeatStatus.RELEASED: 0,
    SeatStatus.CONFIRMED: 1,
    SeatStatus.HELD: 2,
    SeatStatus.WAITLISTED: 3,
}


class SeatChanges:
    """The class and seats one operation touched: written, audited and published together."""

    def __init__(self, uow: CatalogUnitOfWork, book: SeatBook) -> None:
        self.uow = uow
        self.book = book
        self._class_before = snapshot(book.offering)
        self._seats: dict[UUID, tuple[dict[str, object] | None, Seat]] = {}

    def track(self, seat: Seat, *, new: bool = False) -> Seat:
        self._seats.setdefault(seat.nomination_id, (None if new else snapshot(seat), seat))
        return seat

    async def promote_waitlist(self) -> None:
        """Give every free seat to the first waitlisted nominations."""
        wanted = self.book.promotable()
        if wanted:
            waitlist = await self.uow.seats.waitlist(self.book.offering.id, wanted)
            for seat in self.book.promote([self.track(s) for s in waitlist]):
                log.info(
                    "seat.promoted",
                    class_id=str(seat.class_id),
                    nomination_id=str(seat.nomination_id),
                )

    async def commit_to_uow(self, class_action: str | None = None) -> None:
        """Write the changes (class first, then seats in capacity-safe order), audit, publish.

        The class change is audited as `class_action` (a manager's edit) or, when only the seats
        moved it between open and full, as `class.status_changed`."""
        offering = self.book.offering
        self.book.settle()
        after = snapshot(offering)
        if _without_counters(after) != _without_counters(self._class_before):
            await self.uow.classes.save(offering)
            action = class_action or (
                "class.status_changed" if after["status"] != self._class_before["status"] else None
            )
            if action:
                self.uow.audit(
                    action, "class", str(offering.id), before=self._class_before, after=after
                )
        for before, seat in sorted(
            self._seats.values(), key=lambda item: _WRITE_ORDER[item[1].status]
        ):
            seat_after = snapshot(seat)
            if before == seat_after:
                continue
            if before is None:
                await self.uow.seats.add(seat)
            else:
                await self.uow.seats.save(seat)
            self.uow.audit(
                f"seat.{seat.status.value}",
                "seat",
                f"{seat.class_id}:{seat.nomination_id}",
                before=before,
                after=seat_after,
            )
        self.uow.emit(self.book.events, {offering.id: offering})
        await self.uow.flush_staged()


def _without_counters(state: dict[str, object]) -> dict[str, object]:
    counters = ("seats_held", "seats_confirmed", "seats_waitlisted")
    return {k: v for k, v in state.items() if k not in counters}


async def request_seat(
    uow: CatalogUnitOfWork,
    *,
    class_id: UUID,
    masl_id: str,
    nomination_id: UUID,
    country: str | None,
    policy: HoldPolicy,
    now: datetime,
) -> None:
    """A submitted nomination gets a seat HOLD while the class has a free seat and nobody waits,
    else a place at the end of the waitlist. A cancelled, closed or unknown class takes nobody:
    the nomination is told it has no seat (`seat_released`, reason `class_cancelled`). A
    nomination already seated, or already released (withdrawn, denied), is left as it is."""
    await uow.seats.lock_nomination(nomination_id)
    offering = await uow.classes.lock(class_id)
    if offering is None:
        log.info(
            "seat.request_for_unknown_class",
            class_id=str(class_id),
            nomination_id=str(nomination_id),
        )
        uow.emit(
            [
                SeatReleased(
                    class_id,
                    masl_id,
                    nomination_id,
                    ReleaseReason.CLASS_CANCELLED,
                    SeatStatus.WAITLISTED,
                )
            ]
        )
        return
    if await uow.seats.released_early(nomination_id):
        log.info(
            "seat.request_after_release", class_id=str(class_id), nomination_id=str(nomination_id)
        )
        return
    if await uow.seats.get(class_id, nomination_id) is not None:
        log.info("seat.request_repeated", class_id=str(class_id), nomination_id=str(nomination_id))
        return
    elsewhere = await uow.seats.class_of_active_nomination(nomination_id)
    if elsewhere is not None:
        log.warning(
            "seat.request_while_seated_elsewhere",
            class_id=str(class_id),
            other_class_id=str(elsewhere),
        )
        return
    changes = SeatChanges(uow, SeatBook(offering, policy, now))
    seat = changes.book.request(nomination_id, country)
    if seat is not None:
        changes.track(seat, new=True)
    await changes.commit_to_uow()


async def confirm_seat(
    uow: CatalogUnitOfWork,
    *,
    class_id: UUID,
    nomination_id: UUID,
    policy: HoldPolicy,
    now: datetime,
) -> bool:
    """Funds were obligated: the nomination's live HOLD becomes a confirmed seat. Without a hold
    nothing happens; a hold that lapsed is released (`hold_expired`) and its seat re-offered."""
    offering = await uow.classes.lock(class_id)
    current = await uow.seats.get(class_id, nomination_id) if offering else None
    if offering is None or current is None or current.status is not SeatStatus.HELD:
        log.info(
            "seat.confirm_without_hold",
            class_id=str(class_id),
            nomination_id=str(nomination_id),
            status=current.status.value if current else None,
        )
        return False
    changes = SeatChanges(uow, SeatBook(offering, policy, now))
    confirmed = changes.book.confirm(changes.track(current))
    await changes.promote_waitlist()
    await changes.commit_to_uow()
    return confirmed


async def release_seat(
    uow: CatalogUnitOfWork,
    *,
    nomination_id: UUID,
    reason: ReleaseReason,
    policy: HoldPolicy,
    now: datetime,
) -> None:
    """The nomination leaves the pipeline: its hold, confirmed seat or waitlist place is given
    up, and a freed seat goes to the first waitlisted nomination. A nomination the catalog has
    not seated yet is remembered, so its seat request, if it comes later, is ignored."""
    await uow.seats.lock_nomination(nomination_id)
    class_id = await uow.seats.class_of_active_nomination(nomination_id)
    if class_id is None:
        if await uow.seats.ever_seated(nomination_id):
            log.info("seat.release_repeated", nomination_id=str(nomination_id), reason=reason.value)
            return
        await uow.seats.record_early_release(nomination_id, reason)
        uow.audit(
            "seat.release_recorded_before_request",
            "nomination",
            str(nomination_id),
            after={"reason": reason.value},
        )
        log.info(
            "seat.release_before_request", nomination_id=str(nomination_id), reason=reason.value
        )
        return
    offering = await uow.classes.lock(class_id)
    current = await uow.seats.get(class_id, nomination_id)
    assert offering is not None
    assert current is not None
    if current.status not in ACTIVE_SEAT_STATUSES:
        return
    changes = SeatChanges(uow, SeatBook(offering, policy, now))
    changes.book.release(changes.track(current), reason)
    await changes.promote_waitlist()
    await changes.commit_to_uow()


async def expire_lapsed_holds(
    uow: CatalogUnitOfWork, *, class_id: UUID, policy: HoldPolicy, now: datetime
) -> int:
    """Holds past their expiry are released (`hold_expired`) and their seats re-offered to the
    waitlist; confirmed seats never expire. Returns how many holds were released."""
    offering = await uow.classes.lock(class_id)
    if offering is None:
        return 0
    lapsed = await uow.seats.lapsed_holds(class_id, now)
    if not lapsed:
        return 0
    changes = SeatChanges(uow, SeatBook(offering, policy, now))
    for seat in lapsed:
        changes.book.release(changes.track(seat), ReleaseReason.HOLD_EXPIRED)
    await changes.promote_waitlist()
    await changes.commit_to_uow()
    return len(lapsed)
