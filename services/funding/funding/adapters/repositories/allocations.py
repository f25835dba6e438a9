"""Country allocations (ceilings) and their history (SQLAlchemy Core), as domain objects.

Lock order, everywhere: appropriation -> allocation -> obligation -> tranches (by id).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.tables import allocation, allocation_change
from funding.domain.allocation import AllocationBalance, AllocationRecord
from funding.domain.money import ZERO


def _allocation(row: RowMapping) -> AllocationRecord:
    balance = AllocationBalance(row["amount"], row["obligated"], row["charged"], row["lapsed"])
    return AllocationRecord(row["id"], row["country"], row["fiscal_year"], row["version"], balance)


class AllocationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, allocation_id: uuid.UUID, *, lock: bool = False) -> AllocationRecord | None:
        stmt = select(allocation).where(allocation.c.id == allocation_id)
        row = (
            (await self.session.execute(stmt.with_for_update() if lock else stmt))
            .mappings()
            .first()
        )
        return None if row is None else _allocation(row)

    async def find(
        self, country: str, fiscal_year: int, *, lock: bool = False
    ) -> AllocationRecord | None:
        stmt = select(allocation).where(
            allocation.c.country == country, allocation.c.fiscal_year == fiscal_year
        )
        row = (
            (await self.session.execute(stmt.with_for_update() if lock else stmt))
            .mappings()
            .first()
        )
        return None if row is None else _allocation(row)

    async def add(self, country: str, fiscal_year: int) -> AllocationRecord:
        """A new, empty allocation (version 0); its amount arrives with its first posting."""
        new_id = uuid.uuid4()
        await self.session.execute(
            insert(allocation).values(
                id=new_id, country=country, fiscal_year=fiscal_year, amount=ZERO, version=0
            )
        )
        return AllocationRecord(new_id, country, fiscal_year, 0, AllocationBalance(ZERO))

    async def save_amount(self, record: AllocationRecord) -> None:
        """Write a changed ceiling (fires the allocations-within-appropriation trigger)."""
        b = record.balance
        await self.session.execute(
            update(allocation)
            .where(allocation.c.id == record.id)
            .values(amount=b.amount, version=allocation.c.version + 1, updated_at=datetime.now(UTC))
        )
        record.version += 1

    async def save_balances(self, record: AllocationRecord) -> None:
        """Write the used balances (never the amount: obligations do not change the ceiling)."""
        b = record.balance
        await self.session.execute(
            update(allocation)
            .where(allocation.c.id == record.id)
            .values(
                obligated=b.obligated,
                charged=b.charged,
                lapsed=b.lapsed,
                updated_at=datetime.now(UTC),
            )
        )

    async def record_change(
        self,
        record: AllocationRecord,
        previous: Decimal | None,
        reason: str,
        actor: str,
        request_id: str | None,
    ) -> None:
        await self.session.execute(
            insert(allocation_change).values(
                allocation_id=record.id,
                previous_amount=previous,
                new_amount=record.balance.amount,
                reason=reason,
                actor=actor,
                request_id=request_id,
            )
        )
