"""Seats: one row per (class, nomination), plus releases that arrived before the seat request."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.adapters.tables import nomination_release, seat
from catalog.domain.events import ACTIVE_SEAT_STATUSES, ReleaseReason, SeatStatus
from catalog.domain.seats import Seat
from shared.messaging.locks import lock_key

_ACTIVE = [s.value for s in ACTIVE_SEAT_STATUSES]


def seat_from_row(row: Any) -> Seat:
    m = row._mapping
    return Seat(
        class_id=m["class_id"],
        nomination_id=m["nomination_id"],
        status=SeatStatus(m["status"]),
        country=m["country"],
        hold_expires_at=m["hold_expires_at"],
        waitlist_seq=m["waitlist_seq"],
        promoted_from_waitlist=m["promoted_from_waitlist"],
        backfills_nomination_id=m["backfills_nomination_id"],
        released_from=SeatStatus(m["released_from"]) if m["released_from"] else None,
        release_reason=ReleaseReason(m["release_reason"]) if m["release_reason"] else None,
        created_at=m["created_at"],
        held_at=m["held_at"],
        confirmed_at=m["confirmed_at"],
        released_at=m["released_at"],
    )


class SeatRepository:
    """Seats of classes as `Seat` objects (`catalog.service_layer.unit_of_work.Seats`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_nomination(self, nomination_id: UUID) -> None:
        """Serialize the seat request and the releases of one nomination (until commit)."""
        key = lock_key(f"catalog.nomination:{nomination_id}")
        await self.session.execute(select(func.pg_advisory_xact_lock(key)))

    async def get(self, class_id: UUID, nomination_id: UUID) -> Seat | None:
        stmt = select(seat).where(
            seat.c.class_id == class_id, seat.c.nomination_id == nomination_id
        )
        row = (await self.session.execute(stmt)).first()
        return seat_from_row(row) if row else None

    async def class_of_active_nomination(self, nomination_id: UUID) -> UUID | None:
        """The class where the nomination holds, has or awaits a seat, if any."""
        stmt = select(seat.c.class_id).where(
            seat.c.nomination_id == nomination_id, seat.c.status.in_(_ACTIVE)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def ever_seated(self, nomination_id: UUID) -> bool:
        """The nomination has (or had) a seat row in some class."""
        stmt = select(exists().where(seat.c.nomination_id == nomination_id))
        return bool((await self.session.execute(stmt)).scalar())

    async def waitlist(self, class_id: UUID, limit: int) -> list[Seat]:
        """The first `limit` waitlisted seats of a class, in waitlist order."""
        if limit < 1:
            return []
        stmt = (
            select(seat)
            .where(seat.c.class_id == class_id, seat.c.status == SeatStatus.WAITLISTED.value)
            .order_by(seat.c.waitlist_seq)
            .limit(limit)
        )
        return [seat_from_row(r) for r in await self.session.execute(stmt)]

    async def active_in_class(self, class_id: UUID) -> list[Seat]:
        stmt = select(seat).where(seat.c.class_id == class_id, seat.c.status.in_(_ACTIVE))
        return [
            seat_from_row(r)
            for r in await self.session.execute(stmt.order_by(seat.c.created_at, seat.c.id))
        ]

    async def lapsed_holds(self, class_id: UUID, now: datetime) -> list[Seat]:
        stmt = select(seat).where(
            seat.c.class_id == class_id,
            seat.c.status == SeatStatus.HELD.value,
            seat.c.hold_expires_at <= now,
        )
        return [
            seat_from_row(r)
            for r in await self.session.execute(stmt.order_by(seat.c.hold_expires_at))
        ]

    async def add(self, item: Seat) -> None:
        await self.session.execute(
            insert(seat).values(
                id=uuid.uuid4(),
                class_id=item.class_id,
                nomination_id=item.nomination_id,
                country=item.country,
                **_values(item),
            )
        )

    async def save(self, item: Seat) -> None:
        await self.session.execute(
            update(seat)
            .where(seat.c.class_id == item.class_id, seat.c.nomination_id == item.nomination_id)
            .values(**_values(item), updated_at=func.now())
        )

    async def record_early_release(self, nomination_id: UUID, reason: ReleaseReason) -> None:
        """Remember a release that came before the seat request, so the request is ignored."""
        await self.session.execute(
            pg_insert(nomination_release)
            .values(nomination_id=nomination_id, reason=reason.value)
            .on_conflict_do_nothing()
        )

    async def released_early(self, nomination_id: UUID) -> bool:
        stmt = select(exists().where(nomination_release.c.nomination_id == nomination_id))
        return bool((await self.session.execute(stmt)).scalar())


def _values(item: Seat) -> dict[str, Any]:
    return {
        "status": item.status.value,
        "waitlist_seq": item.waitlist_seq,
        "hold_expires_at": item.hold_expires_at,
        "promoted_from_waitlist": item.promoted_from_waitlist,
        "backfills_nomination_id": item.backfills_nomination_id,
        "released_from": item.released_from.value if item.released_from else None,
        "release_reason": item.release_reason.value if item.release_reason else None,
        "held_at": item.held_at,
        "confirmed_at": item.confirmed_at,
        "released_at": item.released_at,
    }
