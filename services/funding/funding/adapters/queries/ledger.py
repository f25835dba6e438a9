"""The ledger's postings, in order."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.queries.common import Rows, page_rows, where_equal
from funding.adapters.tables import ledger_entry
from shared.http.pagination import PageParams


async def list_ledger_entries(
    session: AsyncSession,
    page: PageParams,
    *,
    country: str | None,
    fiscal_year: int | None,
    kind: str | None,
    account: str | None,
    obligation_id: UUID | None,
    nomination_id: UUID | None,
    tranche_id: UUID | None,
) -> Rows:
    """In posting order; `account`: entries moving money from or to it."""
    t = ledger_entry
    stmt = where_equal(
        select(t),
        (t.c.country, country),
        (t.c.fiscal_year, fiscal_year),
        (t.c.kind, kind),
        (t.c.obligation_id, obligation_id),
        (t.c.nomination_id, nomination_id),
        (t.c.tranche_id, tranche_id),
    )
    if account is not None:
        stmt = stmt.where(or_(t.c.from_account == account, t.c.to_account == account))
    return await page_rows(session, stmt, page, [t.c.seq])
