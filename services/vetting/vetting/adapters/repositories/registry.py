"""The derogatory-unit registry repository: entries by id, and the active entry of a unit."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from vetting.adapters.repositories.units import SqlUnitRepository
from vetting.adapters.tables import derogatory_unit
from vetting.domain.errors import ConcurrentModification, UnitAlreadyListed
from vetting.domain.registry import RegistryEntry, unit_key
from vetting.domain.units import Listing, covering


class SqlRegistryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: RegistryEntry) -> None:
        """Insert an entry; UnitAlreadyListed when the unit has an active entry (unique index)."""
        values = {f: getattr(entry, f) for f in _ENTRY_FIELDS}
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    insert(derogatory_unit).values(values | {"unit_key": entry.unit_key})
                )
        except IntegrityError:
            existing = (
                await self.active_on_unit(entry.unit_id)
                if entry.unit_id
                else await self.active_match(entry.country, entry.unit_name)
            )
            raise UnitAlreadyListed(
                "The unit already has an active registry entry.",
                registry_entry_id=str(existing) if existing else None,
            ) from None

    async def get(self, entry_id: UUID, *, lock: bool = False) -> RegistryEntry | None:
        stmt = select(derogatory_unit).where(derogatory_unit.c.id == entry_id)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return None if row is None else RegistryEntry(**{f: getattr(row, f) for f in _ENTRY_FIELDS})

    async def save(self, entry: RegistryEntry, read_version: int) -> None:
        values = {
            f: getattr(entry, f) for f in _ENTRY_FIELDS if f not in ("id", "added_by", "added_at")
        }
        result = await self.session.execute(
            update(derogatory_unit)
            .where(derogatory_unit.c.id == entry.id, derogatory_unit.c.version == read_version)
            .values(values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentModification(f"Registry entry {entry.id} changed concurrently; retry.")

    async def active_match(self, country: str, unit_name: str) -> UUID | None:
        """An active entry on a unit of this country with this name (free-text match)."""
        u = derogatory_unit.c
        stmt = (
            select(u.id)
            .where(
                u.country == country, u.unit_key == unit_key(unit_name), u.remediated_at.is_(None)
            )
            .order_by(u.added_at)
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def active_on_unit(self, unit_id: UUID) -> UUID | None:
        u = derogatory_unit.c
        stmt = select(u.id).where(u.unit_id == unit_id, u.remediated_at.is_(None))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def blocking(self, *, unit_id: UUID | None, country: str, unit_name: str) -> UUID | None:
        """The active entry that blocks a member of this unit: by identity (the unit, or a unit
        above it whose entry covers subunits) when the case is linked to a unit, else by the
        free-text name within the country."""
        if unit_id is None:
            return await self.active_match(country, unit_name)
        lineage = await SqlUnitRepository(self.session).lineage(unit_id)
        u = derogatory_unit.c
        rows = await self.session.execute(
            select(u.id, u.unit_id, u.include_subunits).where(
                u.unit_id.in_(lineage), u.remediated_at.is_(None)
            )
        )
        listings = [Listing(r.id, r.unit_id, r.include_subunits) for r in rows]
        return covering(listings, lineage)


_ENTRY_FIELDS = (
    "id",
    "country",
    "unit_name",
    "source_reference",
    "summary",
    "added_by",
    "added_at",
    "remediated_at",
    "remediated_by",
    "remediation_notes",
    "remediation_reference",
    "version",
    "unit_id",
    "include_subunits",
)
