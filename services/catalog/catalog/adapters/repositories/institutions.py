"""Institutions (schoolhouses)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.adapters.repositories import unique_violation_as
from catalog.adapters.tables import course, institution
from catalog.domain.course import Institution
from catalog.domain.errors import InstitutionExists
from catalog.domain.masl import Agency


def institution_from_row(row: Any) -> Institution:
    m = row._mapping
    return Institution(
        id=m["id"],
        name=m["name"],
        location=m["location"],
        implementing_agency=Agency(m["implementing_agency"]),
        government_quarters=m["government_quarters"],
        government_mess=m["government_mess"],
        version=m["version"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


class InstitutionRepository:
    """Schoolhouses as `Institution` aggregates (`unit_of_work.Institutions`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, institution_id: UUID, *, lock: bool = False) -> Institution | None:
        stmt = select(institution).where(institution.c.id == institution_id)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return institution_from_row(row) if row else None

    async def name_taken(self, name: str, *, other_than: UUID | None = None) -> bool:
        """Names are unique regardless of letter case."""
        condition = func.lower(institution.c.name) == name.lower()
        if other_than is not None:
            condition = condition & (institution.c.id != other_than)
        return bool((await self.session.execute(select(exists().where(condition)))).scalar())

    async def add(self, item: Institution) -> None:
        with unique_violation_as(InstitutionExists, "An institution with this name exists."):
            await self.session.execute(insert(institution).values(**_values(item), id=item.id))

    async def save(self, item: Institution) -> None:
        with unique_violation_as(InstitutionExists, "An institution with this name exists."):
            await self.session.execute(
                update(institution)
                .where(institution.c.id == item.id)
                .values(**_values(item), version=item.version, updated_at=func.now())
            )

    async def has_courses(self, institution_id: UUID) -> bool:
        stmt = select(exists().where(course.c.institution_id == institution_id))
        return bool((await self.session.execute(stmt)).scalar())

    async def delete(self, institution_id: UUID) -> None:
        await self.session.execute(delete(institution).where(institution.c.id == institution_id))


def _values(item: Institution) -> dict[str, Any]:
    return {
        "name": item.name,
        "location": item.location,
        "implementing_agency": item.implementing_agency.value,
        "government_quarters": item.government_quarters,
        "government_mess": item.government_mess,
    }
