"""Appropriations: a fiscal year's amount, its tranches and how much of it is allocated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.queries.common import one_row, where_equal
from funding.adapters.tables import allocation, appropriation, tranche
from shared.http.pagination import PageParams, paginate


@dataclass(frozen=True)
class AppropriationView:
    fiscal_year: int
    amount: Decimal
    allocated: Decimal
    tranches: list[tuple[Decimal, date]]
    available_from: date | None
    availability_reason: str | None
    availability_set_by: str | None
    availability_set_at: datetime | None
    version: int

    @property
    def unallocated(self) -> Decimal:
        return self.amount - self.allocated


async def get_appropriation(session: AsyncSession, fiscal_year: int) -> AppropriationView | None:
    """A fiscal year's appropriation, its tranches and how much of it is allocated."""
    row = await one_row(
        session, select(appropriation).where(appropriation.c.fiscal_year == fiscal_year)
    )
    if row is None:
        return None
    allocated = (
        await session.execute(
            select(func.coalesce(func.sum(allocation.c.amount), 0)).where(
                allocation.c.fiscal_year == fiscal_year
            )
        )
    ).scalar_one()
    parts = (
        await session.execute(
            select(tranche.c.amount, tranche.c.available_until)
            .where(tranche.c.fiscal_year == fiscal_year)
            .order_by(tranche.c.available_until)
        )
    ).all()
    return AppropriationView(
        fiscal_year=fiscal_year,
        amount=row["amount"],
        allocated=allocated,
        tranches=[(t.amount, t.available_until) for t in parts],
        available_from=row["available_from"],
        availability_reason=row["availability_reason"],
        availability_set_by=row["availability_set_by"],
        availability_set_at=row["availability_set_at"],
        version=row["version"],
    )


async def list_appropriations(
    session: AsyncSession, page: PageParams, fiscal_year: int | None
) -> tuple[list[AppropriationView], str | None]:
    """Appropriations, newest fiscal year first."""
    stmt = where_equal(
        select(appropriation.c.fiscal_year), (appropriation.c.fiscal_year, fiscal_year)
    )
    rows, next_cursor = await paginate(session, stmt, page, [appropriation.c.fiscal_year.desc()])
    views = [await get_appropriation(session, r.fiscal_year) for r in rows]
    return [v for v in views if v is not None], next_cursor
