"""Invitational Travel Orders: immutable versions, one current per nomination, serial counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nomination.adapters.tables import ito_serial, travel_order


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

    async def current(self, nomination_id: UUID) -> Row[Any] | None:
        stmt = select(travel_order).where(
            travel_order.c.nomination_id == nomination_id, travel_order.c.superseded_at.is_(None)
        )
        return (await self.session.execute(stmt)).first()

    async def get(self, nomination_id: UUID, version: int) -> Row[Any] | None:
        stmt = select(travel_order).where(
            travel_order.c.nomination_id == nomination_id, travel_order.c.version == version
        )
        return (await self.session.execute(stmt)).first()

    async def all_of(self, nomination_id: UUID) -> list[Row[Any]]:
        stmt = (
            select(travel_order)
            .where(travel_order.c.nomination_id == nomination_id)
            .order_by(travel_order.c.version)
        )
        return list((await self.session.execute(stmt)).all())

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
    ) -> Row[Any]:
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
        return (await self.session.execute(stmt)).one()
