"""Appropriations and their tranches (SQLAlchemy Core), loaded as domain objects.

Lock order, everywhere: appropriation -> allocation -> obligation -> tranches (by id). Taking
row locks in one order keeps concurrent writers from deadlocking.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.tables import allocation, appropriation, funding_request, tranche
from funding.domain.allocation import AppropriationRecord, TrancheSpec
from funding.domain.availability import TrancheState
from funding.domain.money import ZERO
from shared.contracts.types import fiscal_year_bounds


def _tranche(row: RowMapping) -> TrancheState:
    return TrancheState(
        row["id"], row["fiscal_year"], row["amount"], row["available_until"], row["drawn"]
    )


class AppropriationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, fiscal_year: int, *, lock: bool = False) -> AppropriationRecord | None:
        stmt = select(appropriation).where(appropriation.c.fiscal_year == fiscal_year)
        row = (
            (await self.session.execute(stmt.with_for_update() if lock else stmt))
            .mappings()
            .first()
        )
        if row is None:
            return None
        return AppropriationRecord(
            fiscal_year,
            row["amount"],
            row["version"],
            await self.tranches(fiscal_year),
            row["available_from"],
            row["availability_reason"],
            row["availability_set_by"],
            row["availability_set_at"],
        )

    async def tranches(self, fiscal_year: int, *, lock: bool = False) -> list[TrancheState]:
        stmt = select(tranche).where(tranche.c.fiscal_year == fiscal_year).order_by(tranche.c.id)
        rows = (await self.session.execute(stmt.with_for_update() if lock else stmt)).mappings()
        return sorted((_tranche(r) for r in rows), key=lambda t: t.available_until)

    async def ensure(self, fiscal_year: int) -> bool:
        """Create an empty appropriation (version 0) unless one exists; True when created."""
        first_day, _ = fiscal_year_bounds(fiscal_year)
        stmt = (
            pg_insert(appropriation)
            .values(fiscal_year=fiscal_year, amount=ZERO, version=0, available_from=first_day)
            .on_conflict_do_nothing()
            .returning(appropriation.c.fiscal_year)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def set_amount(self, record: AppropriationRecord, amount: Decimal) -> None:
        await self.session.execute(
            update(appropriation)
            .where(appropriation.c.fiscal_year == record.fiscal_year)
            .values(
                amount=amount, version=appropriation.c.version + 1, updated_at=datetime.now(UTC)
            )
        )
        record.amount, record.version = amount, record.version + 1

    async def set_availability(
        self, record: AppropriationRecord, available_from: date, reason: str, actor: str
    ) -> None:
        """Record when the funds become available for obligation (a new version)."""
        now = datetime.now(UTC)
        await self.session.execute(
            update(appropriation)
            .where(appropriation.c.fiscal_year == record.fiscal_year)
            .values(
                available_from=available_from,
                availability_reason=reason,
                availability_set_by=actor,
                availability_set_at=now,
                version=appropriation.c.version + 1,
                updated_at=now,
            )
        )
        record.available_from, record.availability_reason = available_from, reason
        record.availability_set_by, record.availability_set_at = actor, now
        record.version += 1

    async def waiting_years(self, on: date) -> list[int]:
        """Fiscal years whose funds are available `on` and have requests waiting for them."""
        stmt = (
            select(appropriation.c.fiscal_year)
            .where(
                appropriation.c.available_from <= on,
                exists().where(
                    funding_request.c.fiscal_year == appropriation.c.fiscal_year,
                    funding_request.c.status == "pending_availability",
                ),
            )
            .order_by(appropriation.c.fiscal_year)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def touch(self, fiscal_year: int) -> None:
        """A new version: the fiscal year's allocations changed (its unallocated amount moved)."""
        await self.session.execute(
            update(appropriation)
            .where(appropriation.c.fiscal_year == fiscal_year)
            .values(version=appropriation.c.version + 1, updated_at=datetime.now(UTC))
        )

    async def replace_tranches(
        self, fiscal_year: int, specs: list[TrancheSpec], current: list[TrancheState]
    ) -> None:
        """Tranches matched by expiry date are resized, new ones added, dropped ones deleted."""
        by_date = {t.available_until: t for t in current}
        wanted = {s.available_until for s in specs}
        for spec in specs:
            known = by_date.get(spec.available_until)
            if known is None:
                await self.session.execute(
                    insert(tranche).values(
                        id=uuid.uuid4(),
                        fiscal_year=fiscal_year,
                        amount=spec.amount,
                        available_until=spec.available_until,
                    )
                )
            elif known.amount != spec.amount:
                await self.session.execute(
                    update(tranche).where(tranche.c.id == known.id).values(amount=spec.amount)
                )
        gone = [t.id for t in current if t.available_until not in wanted]
        if gone:
            await self.session.execute(delete(tranche).where(tranche.c.id.in_(gone)))

    async def save_drawn(self, tranches: list[TrancheState]) -> None:
        for t in tranches:
            await self.session.execute(
                update(tranche).where(tranche.c.id == t.id).values(drawn=t.drawn)
            )

    async def allocated_total(
        self, fiscal_year: int, *, excluding: uuid.UUID | None = None
    ) -> Decimal:
        stmt = select(func.coalesce(func.sum(allocation.c.amount), ZERO)).where(
            allocation.c.fiscal_year == fiscal_year
        )
        if excluding is not None:
            stmt = stmt.where(allocation.c.id != excluding)
        return Decimal((await self.session.execute(stmt)).scalar_one())
