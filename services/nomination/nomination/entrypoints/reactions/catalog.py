"""Reactions to catalog events: the course/class read model and the seat facts.

Seat events are keyed by class, so they may overtake or trail the vetting and funding news of
the same nomination; the process manager records each as a fact and decides from all of them.
"""

from __future__ import annotations

from nomination.domain.ending import CancelReason
from nomination.domain.machine import Fact
from nomination.domain.states import CANCELLABLE, State
from nomination.service_layer.process import cancel_each, record_fact, review_orders
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.contracts.catalog.v1 import (
    ClassCancelledV1,
    ClassChangedV1,
    ClassScheduledV1,
    CourseChangedV1,
    CoursePublishedV1,
    SeatConfirmedV1,
    SeatHeldV1,
    SeatReleasedV1,
    SeatWaitlistedV1,
)
from shared.contracts.envelope import Envelope
from shared.observability import get_logger

log = get_logger("nomination.reactions.catalog")

# A seat lost for these reasons ends a nomination still in the pipeline (ADR 0004: a hold that
# expired cancels it, administratively). Other reasons are our own compensations or a denial.
_CANCELS: dict[str, tuple[CancelReason, str]] = {
    "hold_expired": ("administrative", "seat_hold_expired"),
    "released_by_manager": ("administrative", "seat_released_by_catalog"),
    "class_cancelled": ("class_cancelled", "class_cancelled"),
}


async def when_course_published_keep_read_model(
    event: CoursePublishedV1 | CourseChangedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    written = await uow.reference.upsert_course(event)
    log.info(
        "catalog.course_applied", masl_id=event.masl_id, version=event.version, written=written
    )
    if written:
        await review_orders(
            uow, await uow.travel_orders.nominations_holding_current(masl_id=event.masl_id)
        )


async def when_class_scheduled_keep_read_model(
    event: ClassScheduledV1 | ClassChangedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    written = await uow.reference.upsert_class(event)
    log.info(
        "catalog.class_applied",
        class_id=str(event.class_id),
        version=event.version,
        written=written,
    )
    if written:
        await review_orders(
            uow, await uow.travel_orders.nominations_holding_current(class_id=event.class_id)
        )


async def when_class_cancelled_cancel_nominations(
    event: ClassCancelledV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """Every nomination of the cancelled class that has not ended is cancelled (U.S.-initiated)."""
    await uow.reference.cancel_class(event.class_id, event.cancelled_at)
    ours = await uow.nominations.ids_in_class(event.class_id, CANCELLABLE)
    ids = sorted(set(ours) | set(event.affected_nomination_ids))
    done = await cancel_each(uow, ids, "class_cancelled", "us_government")
    log.info("catalog.class_cancelled", class_id=str(event.class_id), cancelled=len(done))


async def when_seat_held_record_it(
    event: SeatHeldV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await record_fact(
        uow, event.nomination_id, Fact.SEAT_HELD,
        reason="promoted_from_waitlist" if event.promoted_from_waitlist else "seat_held",
        values={"hold_expires_at": event.hold_expires_at, "waitlist_position": None},
        detail={
            "hold_expires_at": event.hold_expires_at.isoformat(),
            "promoted_from_waitlist": event.promoted_from_waitlist,
        },
    )  # fmt: skip


async def when_seat_waitlisted_record_it(
    event: SeatWaitlistedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await record_fact(
        uow, event.nomination_id, Fact.SEAT_WAITLISTED, reason="class_full",
        values={"waitlist_position": event.position}, detail={"position": event.position},
    )  # fmt: skip


async def when_seat_confirmed_record_it(
    event: SeatConfirmedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await record_fact(
        uow, event.nomination_id, Fact.SEAT_CONFIRMED, values={"hold_expires_at": None}
    )


async def when_seat_released_record_or_cancel(
    event: SeatReleasedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """A released seat confirms a compensation, or (hold expired, class cancelled) ends it."""
    row = await record_fact(
        uow, event.nomination_id, Fact.SEAT_RELEASED, reason=f"seat_released_{event.reason}",
        values={"hold_expires_at": None, "waitlist_position": None},
        detail={"reason": event.reason, "was": event.was},
    )  # fmt: skip
    cancels = _CANCELS.get(event.reason)
    if row is None or cancels is None or State(row.status) not in CANCELLABLE:
        return
    reason, detail = cancels
    await cancel_each(uow, [row.id], reason, "us_government", detail=detail)
