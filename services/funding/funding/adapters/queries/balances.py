"""Country balances with the planning checks (PME share, funds still available)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select

from funding.adapters.queries.common import where_equal
from funding.adapters.reference_tables import funding_parameter
from funding.adapters.repositories.reference import MissingReferenceData
from funding.adapters.tables import allocation, obligation, tranche
from funding.domain.money import ZERO
from funding.domain.planning import PME, PME_MINIMUM_PERCENT, PlanningCheck, PlanningWarning
from shared.db.engine import Reader
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


def _with_planning_facts(stmt: Select[Any]) -> Select[Any]:
    """`stmt` (a select of allocation rows) with what the planning checks need, as correlated
    subqueries: the country's PME obligations outstanding for the year (the obligation index on
    `(country, fiscal_year, ...)` serves it), the year's last day of available funds and the
    PME minimum parameter. One statement per page (ADR 0155): it was four (the page, the PME
    sums of every country of the page's years, the tranches, the parameter), in a transaction
    (BEGIN and ROLLBACK: six round trips)."""
    pme = (
        select(func.sum(obligation.c.outstanding))
        .where(
            obligation.c.course_category == PME,
            obligation.c.country == allocation.c.country,
            obligation.c.fiscal_year == allocation.c.fiscal_year,
        )
        .scalar_subquery()
    )
    until = (
        select(func.max(tranche.c.available_until))
        .where(tranche.c.fiscal_year == allocation.c.fiscal_year)
        .scalar_subquery()
    )
    percent = (
        select(funding_parameter.c.value)
        .where(funding_parameter.c.name == PME_MINIMUM_PERCENT)
        .scalar_subquery()
    )
    return stmt.add_columns(
        pme.label("pme_outstanding__"),
        until.label("funds_until__"),
        percent.label("pme_percent__"),
    )


def balances_of(rows: Sequence[Any], today: date) -> list[CountryBalance]:
    """Balances and planning checks of allocation rows read by `_with_planning_facts`."""
    result = []
    for r in rows:
        if r.pme_percent__ is None:
            raise MissingReferenceData(f"funding parameter {PME_MINIMUM_PERCENT!r} is missing")
        committed = r.obligated + r.charged
        until = r.funds_until__
        check = PlanningCheck(
            ceiling=r.amount,
            committed=committed + r.lapsed,
            pme_committed=ZERO if r.pme_outstanding__ is None else Decimal(r.pme_outstanding__),
            pme_minimum_percent=Decimal(r.pme_percent__),
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


# Built once (the subqueries' construction was most of a page's Python time, ADR 0155).
_BALANCES = _with_planning_facts(select(allocation))
_BALANCE_ORDER = [allocation.c.fiscal_year.desc(), allocation.c.country]


async def get_balance(
    session: Reader, country: str, fiscal_year: int, today: date
) -> CountryBalance | None:
    stmt = _with_planning_facts(
        select(allocation).where(
            allocation.c.country == country, allocation.c.fiscal_year == fiscal_year
        )
    )
    found = balances_of((await session.execute(stmt)).all(), today)
    return found[0] if found else None


async def list_balances(
    session: Reader,
    page: PageParams,
    *,
    country: str | None,
    fiscal_year: int | None,
    today: date,
) -> tuple[list[CountryBalance], str | None]:
    """Newest fiscal year first, then by country."""
    stmt = where_equal(
        _BALANCES, (allocation.c.country, country), (allocation.c.fiscal_year, fiscal_year)
    )
    rows, next_cursor = await paginate(session, stmt, page, _BALANCE_ORDER)
    return balances_of(rows, today), next_cursor
