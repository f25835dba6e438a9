"""Invitational Travel Orders: immutable versions, one current per nomination, serial counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nomination.adapters.tables import ito_serial, nomination, travel_order
from nomination.domain.travel_order import TravelOrder


class TravelOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_serial(self, country: str) -> int:
        """The country's next serial: one counter row per country, bumped under its row lock."""
        stmt = insert(ito_serial).values(country=country, last_serial=1)
        upsert = stmt.on_conflict_do_update(
            index_elements=[ito_serial.c.country],
            set_={"last_serial": ito_serial.c.last_serial + 1},
        ).returning(ito_serial.c.last_serial)
        return int((await self.session.execute(upsert)).scalar_one())

    async def current(self, nomination_id: UUID) -> TravelOrder | None:
        """The order in force: neither superseded nor recalled (at most one: a unique index)."""
        stmt = select(travel_order).where(
            travel_order.c.nomination_id == nomination_id,
            travel_order.c.superseded_at.is_(None),
            travel_order.c.recalled_at.is_(None),
        )
        return _order((await self.session.execute(stmt)).first())

    async def nominations_holding_current(
        self, *, class_id: UUID | None = None, masl_id: str | None = None
    ) -> list[UUID]:
        """Nominations of a class or course that hold a current order (oldest first)."""
        stmt = (
            select(nomination.c.id)
            .join(travel_order, travel_order.c.nomination_id == nomination.c.id)
            .where(travel_order.c.superseded_at.is_(None), travel_order.c.recalled_at.is_(None))
            .order_by(nomination.c.created_at, nomination.c.id)
        )
        if class_id is not None:
            stmt = stmt.where(nomination.c.class_id == class_id)
        if masl_id is not None:
            stmt = stmt.where(nomination.c.masl_id == masl_id)
        return list((await self.session.execute(stmt)).scalars())

    async def latest(self, nomination_id: UUID) -> TravelOrder | None:
        """The newest version, whatever its status (its number is the nomination's number)."""
        stmt = (
            select(travel_order)
            .where(travel_order.c.nomination_id == nomination_id)
            .order_by(travel_order.c.version.desc())
            .limit(1)
        )
        return _order((await self.session.execute(stmt)).first())

    async def recall(
        self, order_id: UUID, at: datetime, reason: str, detail: dict[str, Any]
    ) -> TravelOrder:
        stmt = (
            update(travel_order)
            .where(travel_order.c.id == order_id)
            .values(recalled_at=at, recall_reason=reason, recall_detail=detail)
            .returning(*travel_order.c)
        )
        return order_of((await self.session.execute(stmt)).one())

    async def get(self, nomination_id: UUID, version: int) -> TravelOrder | None:
        stmt = select(travel_order).where(
            travel_order.c.nomination_id == nomination_id, travel_order.c.version == version
        )
        return _order((await self.session.execute(stmt)).first())

    async def all_of(self, nomination_id: UUID) -> list[TravelOrder]:
        stmt = (
            select(travel_order)
            .where(travel_order.c.nomination_id == nomination_id)
            .order_by(travel_order.c.version)
        )
        return [order_of(r) for r in (await self.session.execute(stmt)).all()]

    async def supersede(self, order_id: UUID, at: datetime) -> None:
        await self.session.execute(
            update(travel_order).where(travel_order.c.id == order_id).values(superseded_at=at)
        )

    async def add(
        self,
        *,
        nomination_id: UUID,
        version: int,
        number: str,
        content: dict[str, Any],
        digest: str,
        issued_at: datetime,
        issued_by: str,
    ) -> TravelOrder:
        stmt = (
            insert(travel_order)
            .values(
                id=uuid4(),
                nomination_id=nomination_id,
                version=version,
                number=number,
                content=content,
                content_digest=digest,
                issued_at=issued_at,
                issued_by=issued_by,
            )
            .returning(*travel_order.c)
        )
        return order_of((await self.session.execute(stmt)).one())


def order_of(row: Row[Any]) -> TravelOrder:
    return TravelOrder(**row._mapping)


def _order(row: Row[Any] | None) -> TravelOrder | None:
    return None if row is None else order_of(row)
