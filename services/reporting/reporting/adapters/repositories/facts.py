"""Courses (catalog), training lines and allocations (funding), vetting cases (vetting)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import allocation, course, training_line, vetting_case
from reporting.domain.facts import CourseFact, LineFact


class SqlCourseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, fact: CourseFact, version: int) -> None:
        values = {"title": fact.title, "category": fact.category,
                  "institution": fact.institution, "location": fact.location,
                  "version": version}  # fmt: skip
        stmt = pg_insert(course).values(masl_id=fact.masl_id, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[course.c.masl_id], set_=values,
                where=course.c.version <= stmt.excluded.version,
            )
        )  # fmt: skip


_ADDED = ("amount", "tuition", "travel", "living_allowance")


class SqlLineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def obligated(self, line: LineFact) -> None:
        t = training_line
        stmt = pg_insert(t).values(
            nomination_id=line.nomination_id, country=line.country,
            fiscal_year=line.fiscal_year, masl_id=line.masl_id,
            **{name: getattr(line, name) for name in _ADDED},
        )  # fmt: skip
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.c.nomination_id],
                set_={name: t.c[name] + stmt.excluded[name] for name in _ADDED},
            )
        )

    async def released(
        self,
        nomination_id: UUID,
        *,
        returned: Decimal,
        lapsed: Decimal,
        refunded_penalty: Decimal,
    ) -> None:
        t = training_line
        await self.session.execute(
            update(t)
            .where(t.c.nomination_id == nomination_id)
            .values(
                returned=t.c.returned + returned,
                lapsed=t.c.lapsed + lapsed,
                penalties_refunded=t.c.penalties_refunded + refunded_penalty,
            )
        )

    async def charged(self, nomination_id: UUID, amount: Decimal) -> None:
        t = training_line
        await self.session.execute(
            update(t)
            .where(t.c.nomination_id == nomination_id)
            .values(penalties_charged=t.c.penalties_charged + amount)
        )


class SqlAllocationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def set(
        self, allocation_id: UUID, *, country: str, fiscal_year: int, amount: Decimal
    ) -> None:
        values = {"country": country, "fiscal_year": fiscal_year, "amount": amount}
        stmt = pg_insert(allocation).values(allocation_id=allocation_id, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=[allocation.c.allocation_id], set_=values)
        )


class SqlCaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def opened(
        self, case_id: UUID, *, nomination_id: UUID, country: str, opened_on: date, due_on: date
    ) -> None:
        stmt = pg_insert(vetting_case).values(
            case_id=case_id, nomination_id=nomination_id, country=country,
            opened_on=opened_on, due_on=due_on,
        )  # fmt: skip
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[vetting_case.c.case_id],
                set_={"opened_on": opened_on, "due_on": due_on},
            )
        )

    async def decided(
        self, case_id: UUID, *, nomination_id: UUID, country: str, outcome: str, on: date
    ) -> None:
        c = vetting_case.c
        stmt = pg_insert(vetting_case).values(
            case_id=case_id, nomination_id=nomination_id, country=country, outcome=outcome,
            decided_on=on,
        )  # fmt: skip
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[c.case_id],
                set_={"outcome": outcome, "decided_on": on},
                where=c.outcome.is_(None),
            )
        )
