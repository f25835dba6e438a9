"""The write path of every seat change: the class and seats one operation touched, written in
capacity-safe order, audited and published together (used by the seat and class use cases)."""

from __future__ import annotations

from uuid import UUID

from catalog.domain.events import SeatStatus
from catalog.domain.seats import Seat, SeatBook
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
