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
from catalog.domain.seats import HoldPolicy, SeatBook
from catalog.service_layer.seat_changes import SeatChanges
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from shared.observability import get_logger

log = get_logger("catalog.seating")


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
