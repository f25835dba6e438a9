"""Courses with their tuition rates per fiscal year."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.adapters.repositories import unique_violation_as
from catalog.adapters.tables import course, tuition_rate
from catalog.domain.course import Course, CourseCategory, EnglishRequirement, EnglishTest
from catalog.domain.errors import CourseExists


def course_from_row(row: Any, tuition: dict[int, Decimal]) -> Course:
    m = row._mapping
    requirement = None
    if m["english_test"] is not None:
        requirement = EnglishRequirement(EnglishTest(m["english_test"]), m["english_min_score"])
    return Course(
        masl_id=m["masl_id"],
        title=m["title"],
        institution_id=m["institution_id"],
        category=CourseCategory(m["category"]),
        duration_weeks=m["duration_weeks"],
        english_requirement=requirement,
        eimet_certified_on=m["eimet_certified_on"],
        dedicated_international=m["dedicated_international"],
        min_class_size=m["min_class_size"],
        max_class_size=m["max_class_size"],
        tuition=tuition,
        description=m["description"],
        active=m["active"],
        version=m["version"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


async def load_tuition(session: AsyncSession, masl_ids: list[str]) -> dict[str, dict[int, Decimal]]:
    """Tuition rates of several courses at once, by MASL number then fiscal year."""
    rates: dict[str, dict[int, Decimal]] = defaultdict(dict)
    if masl_ids:
        rows = await session.execute(
            select(tuition_rate)
            .where(tuition_rate.c.masl_id.in_(masl_ids))
            .order_by(tuition_rate.c.fiscal_year)
        )
        for r in rows:
            rates[r.masl_id][r.fiscal_year] = r.amount
    return rates


class CourseRepository:
    """Courses with their tuition rates as `Course` aggregates (`unit_of_work.Courses`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, masl_id: str, *, lock: bool = False) -> Course | None:
        stmt = select(course).where(course.c.masl_id == masl_id)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        return course_from_row(row, (await load_tuition(self.session, [masl_id]))[masl_id])

    async def exists(self, masl_id: str) -> bool:
        return bool(
            (
                await self.session.execute(select(exists().where(course.c.masl_id == masl_id)))
            ).scalar()
        )

    async def of_institution(self, institution_id: UUID, *, lock: bool = False) -> list[Course]:
        stmt = (
            select(course)
            .where(course.c.institution_id == institution_id)
            .order_by(course.c.masl_id)
        )
        if lock:
            stmt = stmt.with_for_update()
        rows = list(await self.session.execute(stmt))
        rates = await load_tuition(self.session, [r.masl_id for r in rows])
        return [course_from_row(r, rates[r.masl_id]) for r in rows]

    async def add(self, item: Course) -> None:
        with unique_violation_as(CourseExists, f"Course {item.masl_id} is already in the catalog."):
            await self.session.execute(insert(course).values(masl_id=item.masl_id, **_values(item)))
        await self._store_tuition(item)

    async def save(self, item: Course) -> None:
        await self.session.execute(
            update(course)
            .where(course.c.masl_id == item.masl_id)
            .values(**_values(item), version=item.version, updated_at=func.now())
        )
        await self._store_tuition(item)

    async def _store_tuition(self, item: Course) -> None:
        if not item.tuition:
            return
        stmt = pg_insert(tuition_rate).values(
            [
                {"masl_id": item.masl_id, "fiscal_year": fy, "amount": amount}
                for fy, amount in item.tuition.items()
            ]
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[tuition_rate.c.masl_id, tuition_rate.c.fiscal_year],
                set_={"amount": stmt.excluded.amount, "updated_at": func.now()},
                where=tuition_rate.c.amount != stmt.excluded.amount,
            )
        )


def _values(item: Course) -> dict[str, Any]:
    requirement = item.english_requirement
    return {
        "title": item.title,
        "institution_id": item.institution_id,
        "category": item.category.value,
        "duration_weeks": item.duration_weeks,
        "english_test": requirement.test.value if requirement else None,
        "english_min_score": requirement.min_score if requirement else None,
        "eimet_certified_on": item.eimet_certified_on,
        "dedicated_international": item.dedicated_international,
        "min_class_size": item.min_class_size,
        "max_class_size": item.max_class_size,
        "description": item.description,
        "active": item.active,
    }
