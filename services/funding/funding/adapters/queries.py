"""Read side: the funding lists and views (filters + keyset pagination).

The only module the routes read through. Lists and single reads return the row as a plain
dict (the route's schema validates it); balances and the consistency check are computed views
(`adapters.views`). An SCO's country scoping is decided by the route, before it asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.reference_tables import funding_parameter, penalty_rule, tla_rate
from funding.adapters.reference_tables import travel_cost as travel_cost_table
from funding.adapters.repositories.reference import TABLES, ReferenceData
from funding.adapters.tables import (
    allocation,
    allocation_change,
    appropriation,
    funding_request,
    ledger_entry,
    obligation,
    tranche,
)
from funding.adapters.views import (
    ConsistencyReport,
    CountryBalance,
    CountryConsistency,
    FiscalYearConsistency,
    balances_for,
    check_consistency,
)
from shared.http.pagination import PageParams, paginate

__all__ = [
    "AppropriationView",
    "ConsistencyReport",
    "CountryBalance",
    "CountryConsistency",
    "FiscalYearConsistency",
    "check_consistency",
]

Rows = tuple[list[dict[str, Any]], str | None]


def _where_equal(stmt: Select[Any], *filters: tuple[ColumnElement[Any], object]) -> Select[Any]:
    """`stmt` filtered on `column = value` for each filter that was given (not None)."""
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


async def _page(
    session: AsyncSession, stmt: Select[Any], page: PageParams, order: list[Any]
) -> Rows:
    rows, next_cursor = await paginate(session, stmt, page, order)
    return [dict(r._mapping) for r in rows], next_cursor


async def _one(session: AsyncSession, stmt: Select[Any]) -> dict[str, Any] | None:
    row = (await session.execute(stmt)).first()
    return None if row is None else dict(row._mapping)


# --- appropriations ---


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
    row = await _one(
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
    stmt = _where_equal(
        select(appropriation.c.fiscal_year), (appropriation.c.fiscal_year, fiscal_year)
    )
    rows, next_cursor = await paginate(session, stmt, page, [appropriation.c.fiscal_year.desc()])
    views = [await get_appropriation(session, r.fiscal_year) for r in rows]
    return [v for v in views if v is not None], next_cursor


# --- allocations ---


async def get_allocation(session: AsyncSession, allocation_id: UUID) -> dict[str, Any] | None:
    return await _one(session, select(allocation).where(allocation.c.id == allocation_id))


async def list_allocations(
    session: AsyncSession, page: PageParams, *, country: str | None, fiscal_year: int | None
) -> Rows:
    """Newest fiscal year first, then by country."""
    stmt = _where_equal(
        select(allocation), (allocation.c.country, country), (allocation.c.fiscal_year, fiscal_year)
    )
    return await _page(session, stmt, page, [allocation.c.fiscal_year.desc(), allocation.c.country])


async def list_allocation_changes(
    session: AsyncSession, allocation_id: UUID, page: PageParams
) -> Rows:
    """The allocation's history, oldest first."""
    t = allocation_change
    return await _page(session, select(t).where(t.c.allocation_id == allocation_id), page, [t.c.id])


# --- balances and the consistency check ---


async def get_balance(
    session: AsyncSession, country: str, fiscal_year: int, today: date
) -> CountryBalance | None:
    stmt = select(allocation).where(
        allocation.c.country == country, allocation.c.fiscal_year == fiscal_year
    )
    found = await balances_for(session, (await session.execute(stmt)).all(), today)
    return found[0] if found else None


async def list_balances(
    session: AsyncSession,
    page: PageParams,
    *,
    country: str | None,
    fiscal_year: int | None,
    today: date,
) -> tuple[list[CountryBalance], str | None]:
    """Newest fiscal year first, then by country."""
    stmt = _where_equal(
        select(allocation), (allocation.c.country, country), (allocation.c.fiscal_year, fiscal_year)
    )
    rows, next_cursor = await paginate(
        session, stmt, page, [allocation.c.fiscal_year.desc(), allocation.c.country]
    )
    return await balances_for(session, rows, today), next_cursor


# --- obligations, funding requests, the ledger ---


async def get_obligation(session: AsyncSession, obligation_id: UUID) -> dict[str, Any] | None:
    return await _one(session, select(obligation).where(obligation.c.id == obligation_id))


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
    stmt = _where_equal(
        select(t),
        (t.c.country, country),
        (t.c.fiscal_year, fiscal_year),
        (t.c.status, status),
        (t.c.nomination_id, nomination_id),
        (t.c.class_id, class_id),
        (t.c.masl_id, masl_id),
    )
    return await _page(session, stmt, page, [t.c.created_at.desc(), t.c.id.desc()])


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
    stmt = _where_equal(
        select(t),
        (t.c.country, country),
        (t.c.fiscal_year, fiscal_year),
        (t.c.status, status),
        (t.c.nomination_id, nomination_id),
    )
    return await _page(session, stmt, page, [t.c.received_at.desc(), t.c.request_id.desc()])


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
    stmt = _where_equal(
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
    return await _page(session, stmt, page, [t.c.seq])


# --- reference data ---


async def get_reference_row(session: AsyncSession, name: str, key: Any) -> dict[str, Any] | None:
    """One row of a reference table (`tla_rate`, `travel_cost`, ...) by its key."""
    return await ReferenceData(session).row(name, key)


def reference_label(name: str) -> str:
    """How a reference table is named in a message ("tla rate")."""
    return TABLES[name].name.replace("_", " ")


async def list_tla_rates(session: AsyncSession, page: PageParams) -> Rows:
    t = tla_rate
    order = [t.c.with_dependents, t.c.government_quarters, t.c.government_mess]
    return await _page(session, select(t), page, order)


async def list_travel_costs(session: AsyncSession, page: PageParams, country: str | None) -> Rows:
    t = travel_cost_table
    stmt = _where_equal(select(t), (t.c.country, country))
    return await _page(session, stmt, page, [t.c.country])


async def list_penalty_rules(
    session: AsyncSession, page: PageParams, *, trigger: str | None, active: bool | None
) -> Rows:
    t = penalty_rule
    stmt = _where_equal(select(t), (t.c.trigger, trigger), (t.c.active, active))
    return await _page(session, stmt, page, [t.c.priority, t.c.code])


async def list_parameters(session: AsyncSession, page: PageParams) -> Rows:
    t = funding_parameter
    return await _page(session, select(t), page, [t.c.name])
