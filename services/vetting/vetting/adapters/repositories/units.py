"""Units (registry identity) and their lineage. A unit it stores is `seen`, so the unit of
work can collect the event its registration raised."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vetting.adapters.tables import unit
from vetting.domain.events import RaisesEvents
from vetting.domain.registry import unit_key
from vetting.domain.units import Unit

# Units nest a few levels (battalion, brigade, division, service): a bound keeps a corrupt
# parent chain from looping.
MAX_DEPTH = 20


def _unit(row: Any) -> Unit:
    return Unit(
        row.id, row.country, row.name, row.parent_id, row.created_at, row.created_by, row.version
    )


class SqlUnitRepository:
    def __init__(self, session: AsyncSession, seen: list[RaisesEvents] | None = None) -> None:
        self.session = session
        self.seen = [] if seen is None else seen

    async def add(self, item: Unit) -> bool:
        """Insert a unit; False when one with the same identity exists (nothing written)."""
        stmt = (
            insert(unit)
            .values(
                id=item.id, country=item.country, name=item.name, name_key=item.name_key,
                parent_id=item.parent_id, created_at=item.created_at,
                created_by=item.created_by, version=item.version,
            )
            .on_conflict_do_nothing()
            .returning(unit.c.id)
        )  # fmt: skip
        if (await self.session.execute(stmt)).scalar_one_or_none() is None:
            return False
        self.seen.append(item)
        return True

    async def get(self, unit_id: UUID) -> Unit | None:
        row = (await self.session.execute(select(unit).where(unit.c.id == unit_id))).first()
        return None if row is None else _unit(row)

    async def find(self, country: str, name: str, parent_id: UUID | None) -> Unit | None:
        """The unit with this identity."""
        parent = unit.c.parent_id.is_(None) if parent_id is None else unit.c.parent_id == parent_id
        stmt = select(unit).where(
            unit.c.country == country, unit.c.name_key == unit_key(name), parent
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else _unit(row)

    async def named(self, country: str, name: str) -> list[UUID]:
        """The ids of the country's units with this name (any parent)."""
        stmt = select(unit.c.id).where(unit.c.country == country, unit.c.name_key == unit_key(name))
        return list((await self.session.execute(stmt.order_by(unit.c.id))).scalars())

    async def lineage(self, unit_id: UUID) -> list[UUID]:
        """The unit, its parent, the parent's parent... (nearest first)."""
        chain: list[UUID] = []
        current: UUID | None = unit_id
        while current is not None and current not in chain and len(chain) < MAX_DEPTH:
            chain.append(current)
            current = (
                await self.session.execute(select(unit.c.parent_id).where(unit.c.id == current))
            ).scalar_one_or_none()
        return chain

    async def with_subunits(self, unit_id: UUID) -> list[UUID]:
        """The unit and every unit below it."""
        found, frontier = [unit_id], [unit_id]
        while frontier and len(found) < 10_000:
            rows = await self.session.execute(
                select(unit.c.id).where(unit.c.parent_id.in_(frontier))
            )
            frontier = [r for r in rows.scalars() if r not in found]
            found.extend(frontier)
        return found
