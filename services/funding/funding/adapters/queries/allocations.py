"""Allocations (a country's ceiling per fiscal year) and their history of changes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.queries.common import Rows, one_row, page_rows, where_equal
from funding.adapters.tables import allocation, allocation_change
from shared.http.pagination import PageParams


async def get_allocation(session: AsyncSession, allocation_id: UUID) -> dict[str, Any] | None:
    return await one_row(session, select(allocation).where(allocation.c.id == allocation_id))


async def list_allocations(
    session: AsyncSession, page: PageParams, *, country: str | None, fiscal_year: int | None
) -> Rows:
    """Newest fiscal year first, then by country."""
    stmt = where_equal(
        select(allocation), (allocation.c.country, country), (allocation.c.fiscal_year, fiscal_year)
    )
    return await page_rows(
        session, stmt, page, [allocation.c.fiscal_year.desc(), allocation.c.country]
    )


async def list_allocation_changes(
    session: AsyncSession, allocation_id: UUID, page: PageParams
) -> Rows:
    """The allocation's history, oldest first."""
    t = allocation_change
    return await page_rows(
        session, select(t).where(t.c.allocation_id == allocation_id), page, [t.c.id]
    )
