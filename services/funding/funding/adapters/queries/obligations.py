"""Obligated lines and the funding requests behind them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.queries.common import Rows, one_row, page_rows, where_equal
from funding.adapters.tables import funding_request, obligation
from shared.http.pagination import PageParams


async def get_obligation(session: AsyncSession, obligation_id: UUID) -> dict[str, Any] | None:
    return await one_row(session, select(obligation).where(obligation.c.id == obligation_id))


async def list_obligations(
    session: AsyncSession,
    page: PageParams,
    *,
    country: str | None,
    fiscal_year: int | None,
    status: str | None,
    nomination_id: UUID | None,
    class_id: UUID | None,
    masl_id: str | None,
) -> Rows:
    """Newest first."""
    t = obligation
    stmt = where_equal(
        select(t),
        (t.c.country, country),
        (t.c.fiscal_year, fiscal_year),
        (t.c.status, status),
        (t.c.nomination_id, nomination_id),
        (t.c.class_id, class_id),
        (t.c.masl_id, masl_id),
    )
    return await page_rows(session, stmt, page, [t.c.created_at.desc(), t.c.id.desc()])


async def list_funding_requests(
    session: AsyncSession,
    page: PageParams,
    *,
    country: str | None,
    fiscal_year: int | None,
    status: str | None,
    nomination_id: UUID | None,
) -> Rows:
    """Newest first."""
    t = funding_request
    stmt = where_equal(
        select(t),
        (t.c.country, country),
        (t.c.fiscal_year, fiscal_year),
        (t.c.status, status),
        (t.c.nomination_id, nomination_id),
    )
    return await page_rows(session, stmt, page, [t.c.received_at.desc(), t.c.request_id.desc()])


async def get_funding_request(session: AsyncSession, request_id: UUID) -> dict[str, Any] | None:
    t = funding_request
    return await one_row(session, select(t).where(t.c.request_id == request_id))
