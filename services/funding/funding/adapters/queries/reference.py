"""Reference data: TLA matrix, travel costs, penalty rules, parameters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.queries.common import Rows, page_rows, where_equal
from funding.adapters.reference_tables import funding_parameter, penalty_rule, tla_rate
from funding.adapters.reference_tables import travel_cost as travel_cost_table
from funding.adapters.repositories.reference import TABLES, ReferenceData
from shared.http.pagination import PageParams


async def get_reference_row(session: AsyncSession, name: str, key: Any) -> dict[str, Any] | None:
    """One row of a reference table (`tla_rate`, `travel_cost`, ...) by its key."""
    return await ReferenceData(session).row(name, key)


def reference_label(name: str) -> str:
    """How a reference table is named in a message ("tla rate")."""
    return TABLES[name].name.replace("_", " ")


async def list_tla_rates(session: AsyncSession, page: PageParams) -> Rows:
    t = tla_rate
    order = [t.c.with_dependents, t.c.government_quarters, t.c.government_mess]
    return await page_rows(session, select(t), page, order)


async def list_travel_costs(session: AsyncSession, page: PageParams, country: str | None) -> Rows:
    t = travel_cost_table
    stmt = where_equal(select(t), (t.c.country, country))
    return await page_rows(session, stmt, page, [t.c.country])


async def list_penalty_rules(
    session: AsyncSession, page: PageParams, *, trigger: str | None, active: bool | None
) -> Rows:
    t = penalty_rule
    stmt = where_equal(select(t), (t.c.trigger, trigger), (t.c.active, active))
    return await page_rows(session, stmt, page, [t.c.priority, t.c.code])


async def list_parameters(session: AsyncSession, page: PageParams) -> Rows:
    t = funding_parameter
    return await page_rows(session, select(t), page, [t.c.name])
