"""Reference data: the TLA matrix, travel costs, penalty rules and numeric parameters."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.reference_tables import funding_parameter, penalty_rule, tla_rate, travel_cost
from funding.domain.costing import TlaRate
from funding.domain.penalties import CourseKind, Initiator, PenaltyRule, Trigger

TABLES: dict[str, Table] = {
    t.name: t for t in (tla_rate, travel_cost, penalty_rule, funding_parameter)
}
"""The reference tables by name (`ReferenceTable` in the unit-of-work interface)."""


class MissingReferenceData(LookupError):
    """A reference row the migration seeds is missing: the deployment is broken, not the input."""


class ReferenceData:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tla_rates(self) -> list[TlaRate]:
        rows = (await self.session.execute(select(tla_rate))).mappings()
        return [
            TlaRate(
                r["government_quarters"],
                r["government_mess"],
                r["with_dependents"],
                r["lodging_per_day"],
                r["meals_per_day"],
            )
            for r in rows
        ]

    async def travel_cost(self, country: str) -> Decimal | None:
        stmt = select(travel_cost.c.amount).where(travel_cost.c.country == country)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def parameter(self, name: str) -> Decimal:
        stmt = select(funding_parameter.c.value).where(funding_parameter.c.name == name)
        value = (await self.session.execute(stmt)).scalar_one_or_none()
        if value is None:
            raise MissingReferenceData(f"funding parameter {name!r} is missing")
        return Decimal(value)

    async def penalty_rules(self) -> list[PenaltyRule]:
        rows = (await self.session.execute(select(penalty_rule))).mappings()
        return [
            PenaltyRule(
                code=r["code"],
                trigger=Trigger(r["trigger"]),
                initiated_by=Initiator(r["initiated_by"]),
                course_kind=CourseKind(r["course_kind"]),
                within_days_before_start=r["within_days_before_start"],
                percent_of_tuition=r["percent_of_tuition"],
                prorate_by_attendance=r["prorate_by_attendance"],
                waived_when_refilled=r["waived_when_refilled"],
                priority=r["priority"],
                active=r["active"],
            )
            for r in rows
        ]

    async def row(self, name: str, key: Any, *, lock: bool = False) -> dict[str, Any] | None:
        """One reference row by its primary key (a single column), as a dict."""
        table = TABLES[name]
        stmt = select(table).where(_pk(table) == key)
        found = (
            (await self.session.execute(stmt.with_for_update() if lock else stmt))
            .mappings()
            .first()
        )
        return None if found is None else dict(found)

    async def insert(self, name: str, values: dict[str, Any]) -> dict[str, Any]:
        """Insert a row; KeyError when one with this key exists."""
        table = TABLES[name]
        stmt = pg_insert(table).values(**values).on_conflict_do_nothing().returning(*table.c)
        found = (await self.session.execute(stmt)).mappings().first()
        if found is None:
            raise KeyError("a row with this key exists")
        return dict(found)

    async def update(self, name: str, key: Any, values: dict[str, Any]) -> dict[str, Any]:
        table = TABLES[name]
        stmt = (
            update(table)
            .where(_pk(table) == key)
            .values(**values, version=table.c.version + 1, updated_at=datetime.now(UTC))
            .returning(*table.c)
        )
        return dict((await self.session.execute(stmt)).mappings().one())


def _pk(table: Table) -> Any:
    (column,) = table.primary_key.columns
    return column
