"""Country balances with the planning checks (PME share, funds still available)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.queries.common import where_equal
from funding.adapters.repositories.reference import ReferenceData
from funding.adapters.tables import allocation, obligation, tranche
from funding.domain.money import ZERO
from funding.domain.planning import PME, PME_MINIMUM_PERCENT, PlanningCheck, PlanningWarning
from shared.http.pagination import PageParams, paginate


@dataclass(frozen=True)
class CountryBalance:
    allocation_id: Any
    country: str
    fiscal_year: int
    allocated: Decimal
    obligated: Decimal
    charged: Decimal
    lapsed: Decimal
    available: Decimal
    pme_committed: Decimal
    pme_share: Decimal | None
    pme_minimum: Decimal
    funds_available_until: date | None
    warnings: list[PlanningWarning]

    @property
    def committed(self) -> Decimal:
        return self.obligated + self.charged


async def balances_for(
    session: AsyncSession, rows: Sequence[Any], today: date
) -> list[CountryBalance]:
    """Balances and planning checks of the given allocation rows."""
    if not rows:
        return []
    keys = {(r.country, r.fiscal_year) for r in rows}
    years = {fy for _, fy in keys}
    pme_stmt = (
        select(obligation.c.country, obligation.c.fiscal_year, func.sum(obligation.c.outstanding))
        .where(obligation.c.course_category == PME, obligation.c.fiscal_year.in_(years))
        .group_by(obligation.c.country, obligation.c.fiscal_year)
    )
    pme = {(c, fy): Decimal(v) for c, fy, v in (await session.execute(pme_stmt)).all()}
    until_stmt = (
        select(tranche.c.fiscal_year, func.max(tranche.c.available_until))
        .where(tranche.c.fiscal_year.in_(years))
        .group_by(tranche.c.fiscal_year)
    )
    last_day = {fy: d for fy, d in (await session.execute(until_stmt)).all()}
    pme_percent = await ReferenceData(session).parameter(PME_MINIMUM_PERCENT)
    result = []
    for r in rows:
        committed = r.obligated + r.charged
        until = last_day.get(r.fiscal_year)
        check = PlanningCheck(
            ceiling=r.amount,
            committed=committed + r.lapsed,
            pme_committed=pme.get((r.country, r.fiscal_year), ZERO),
            pme_minimum_percent=pme_percent,
            funds_available=until is not None and today <= until,
        )
        result.append(
            CountryBalance(
                r.id,
                r.country,
                r.fiscal_year,
                r.amount,
                r.obligated,
                r.charged,
                r.lapsed,
                r.amount - committed - r.lapsed,
                check.pme_committed,
                check.pme_share,
                check.pme_minimum,
                until,
                check.warnings(),
            )
        )
    return result


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
    stmt = where_equal(
        select(allocation), (allocation.c.country, country), (allocation.c.fiscal_year, fiscal_year)
    )
    rows, next_cursor = await paginate(
        session, stmt, page, [allocation.c.fiscal_year.desc(), allocation.c.country]
    )
    return await balances_for(session, rows, today), next_cursor
