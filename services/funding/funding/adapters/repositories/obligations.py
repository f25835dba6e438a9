"""Obligations: the training lines obligated against allocations (SQLAlchemy Core)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.tables import obligation
from funding.domain.obligation import Obligation, ObligationStatus

_FIELDS = [f.name for f in dataclasses.fields(Obligation)]
_MUTABLE = (
    "status",
    "outstanding",
    "penalty_amount",
    "penalty_rule",
    "penalty_refundable",
    "returned_amount",
    "lapsed_amount",
    "closed_on",
    "close_reason",
)


def _obligation(row: RowMapping) -> Obligation:
    values = {name: row[name] for name in _FIELDS}
    values["status"] = ObligationStatus(values["status"])
    return Obligation(**values)


class ObligationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, obligation_id: uuid.UUID, *, lock: bool = False) -> Obligation | None:
        stmt = select(obligation).where(obligation.c.id == obligation_id)
        row = (
            (await self.session.execute(stmt.with_for_update() if lock else stmt))
            .mappings()
            .first()
        )
        return None if row is None else _obligation(row)

    async def active_for(self, nomination_id: uuid.UUID) -> Obligation | None:
        stmt = select(obligation).where(
            obligation.c.nomination_id == nomination_id,
            obligation.c.status == ObligationStatus.ACTIVE,
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else _obligation(row)

    async def refundable_for(self, nomination_id: uuid.UUID) -> Obligation | None:
        """The released obligation of a nomination whose charge a refilled seat refunds."""
        stmt = (
            select(obligation)
            .where(
                obligation.c.nomination_id == nomination_id,
                obligation.c.penalty_refundable.is_(True),
                obligation.c.penalty_amount > 0,
            )
            .order_by(obligation.c.created_at.desc())
        )
        row = (await self.session.execute(stmt)).mappings().first()
        return None if row is None else _obligation(row)

    async def add(self, ob: Obligation) -> None:
        await self.session.execute(
            insert(obligation).values(
                **{name: getattr(ob, name) for name in _FIELDS if name != "version"}
            )
        )

    async def save(self, ob: Obligation) -> None:
        values = {name: getattr(ob, name) for name in _MUTABLE}
        await self.session.execute(
            update(obligation)
            .where(obligation.c.id == ob.id)
            .values(**values, version=obligation.c.version + 1, updated_at=datetime.now(UTC))
        )
        ob.version += 1
