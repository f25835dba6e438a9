"""Read model of the catalog (courses, classes) and the country reference data.

Catalog events are state-carrying and may arrive more than once or out of order: a row is
written only when the event's `version` is newer than the stored one. A class cancellation
sticks, whatever older news of the class arrives later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, case, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nomination.adapters.tables import country, country_revision, course, course_class, unit
from nomination.domain.reference import (
    ClassFacts,
    Country,
    CountryFacts,
    CountryRevision,
    CourseFacts,
    EnglishRequirement,
    Unit,
)
from shared.contracts.catalog.v1 import (
    ClassChangedV1,
    ClassScheduledV1,
    CourseChangedV1,
    CoursePublishedV1,
)
from shared.contracts.vetting.v1 import UnitRegisteredV1

CourseState = CoursePublishedV1 | CourseChangedV1
ClassState = ClassScheduledV1 | ClassChangedV1


class ReferenceRepository:
    """Reads are remembered for the unit of work (a bulk import asks for the same class, course
    and country hundreds of times); any write through this repository forgets them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._facts: dict[tuple[str, Any], Any] = {}

    async def _remember(self, key: tuple[str, Any], load: Any) -> Any:
        if key not in self._facts:
            self._facts[key] = await load()
        return self._facts[key]

    async def upsert_course(self, event: CourseState) -> bool:
        """Store the course's state if it is newer than what we have; True when written."""
        self._facts.clear()
        english = event.english_requirement
        values: dict[str, Any] = {
            "masl_id": event.masl_id,
            "title": event.title,
            "category": event.category,
            "institution_name": event.institution.name,
            "location": event.institution.location,
            "english_test": english.test if english else None,
            "english_min_score": english.min_score if english else None,
            "eimet_certified_on": event.eimet_certified_on,
            "eimet_certified_through": event.eimet_certified_through,
            "dedicated_international": event.dedicated_international,
            "duration_weeks": event.duration_weeks,
            "active": event.active,
            "version": event.version,
        }
        stmt = insert(course).values(values)
        upsert = stmt.on_conflict_do_update(
            index_elements=[course.c.masl_id],
            set_={
                **{k: stmt.excluded[k] for k in values if k != "masl_id"},
                "updated_at": datetime.now(UTC),
            },
            where=course.c.version < stmt.excluded.version,
        ).returning(course.c.masl_id)
        return (await self.session.execute(upsert)).first() is not None

    async def upsert_class(self, event: ClassState) -> bool:
        """Store the class's state if it is newer than what we have; True when written."""
        self._facts.clear()
        values: dict[str, Any] = {
            "class_id": event.class_id,
            "masl_id": event.masl_id,
            "fiscal_year": event.fiscal_year,
            "start_date": event.start_date,
            "end_date": event.end_date,
            "report_date": event.report_date,
            "capacity": event.capacity,
            "status": event.status,
            "version": event.version,
        }
        stmt = insert(course_class).values(values)
        changes: dict[str, Any] = {
            k: stmt.excluded[k] for k in values if k not in ("class_id", "status")
        }
        # A cancellation sticks, whatever older news of the class arrives later.
        changes["status"] = case(
            (course_class.c.cancelled_at.is_not(None), "cancelled"), else_=stmt.excluded.status
        )
        changes["updated_at"] = datetime.now(UTC)
        upsert = stmt.on_conflict_do_update(
            index_elements=[course_class.c.class_id],
            set_=changes,
            where=course_class.c.version < stmt.excluded.version,
        ).returning(course_class.c.class_id)
        return (await self.session.execute(upsert)).first() is not None

    async def upsert_unit(self, event: UnitRegisteredV1) -> None:
        stmt = insert(unit).values(
            unit_id=event.unit_id, country=event.country, name=event.unit_name,
            parent_unit_id=event.parent_unit_id,
        )  # fmt: skip
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[unit.c.unit_id],
                set_={"name": stmt.excluded.name, "parent_unit_id": stmt.excluded.parent_unit_id,
                      "updated_at": datetime.now(UTC)},
            )
        )  # fmt: skip

    async def unit(self, unit_id: UUID) -> Unit | None:
        found = (await self.session.execute(select(unit).where(unit.c.unit_id == unit_id))).first()
        return None if found is None else Unit(**found._mapping)

    async def cancel_class(self, class_id: UUID, cancelled_at: datetime) -> bool:
        self._facts.clear()
        result = await self.session.execute(
            update(course_class)
            .where(course_class.c.class_id == class_id, course_class.c.cancelled_at.is_(None))
            .values(status="cancelled", cancelled_at=cancelled_at, updated_at=cancelled_at)
            .returning(course_class.c.class_id)
        )
        return result.first() is not None

    async def class_row(self, class_id: UUID) -> Row[Any] | None:
        return (
            await self.session.execute(
                select(course_class).where(course_class.c.class_id == class_id)
            )
        ).first()

    async def course_row(self, masl_id: str) -> Row[Any] | None:
        return (
            await self.session.execute(select(course).where(course.c.masl_id == masl_id))
        ).first()

    async def class_facts(self, class_id: UUID) -> ClassFacts | None:
        async def load() -> ClassFacts | None:
            row = await self.class_row(class_id)
            return None if row is None else class_facts(row)

        found: ClassFacts | None = await self._remember(("class", class_id), load)
        return found

    async def course_facts(self, masl_id: str) -> CourseFacts | None:
        async def load() -> CourseFacts | None:
            row = await self.course_row(masl_id)
            return None if row is None else course_facts(row)

        found: CourseFacts | None = await self._remember(("course", masl_id), load)
        return found

    async def country_record(self, iso3: str, *, for_update: bool = False) -> Country | None:
        """A country's reference data as kept (None when it has none)."""
        row = await self._country_row(iso3, for_update=for_update)
        return None if row is None else Country(**row._mapping)

    async def _country_row(self, iso3: str, *, for_update: bool = False) -> Row[Any] | None:
        stmt = select(country).where(country.c.iso3 == iso3)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).first()

    async def country_facts(self, iso3: str) -> CountryFacts | None:
        async def load() -> CountryFacts | None:
            row = await self._country_row(iso3)
            return None if row is None else country_facts(row)

        found: CountryFacts | None = await self._remember(("country", iso3), load)
        return found

    async def save_country(self, values: dict[str, Any], actor: str) -> Country:
        """Insert or replace a country's current row and append the revision."""
        self._facts.clear()
        row_values = {**values, "updated_by": actor, "updated_at": datetime.now(UTC)}
        stmt = insert(country).values(row_values)
        upsert = stmt.on_conflict_do_update(
            index_elements=[country.c.iso3],
            set_={k: stmt.excluded[k] for k in row_values if k != "iso3"},
        ).returning(*country.c)
        saved = (await self.session.execute(upsert)).one()
        await self.session.execute(
            insert(country_revision).values(
                iso3=saved.iso3,
                version=saved.version,
                name=saved.name,
                sanctioned=saved.sanctioned,
                sanctions_reason=saved.sanctions_reason,
                ecl_exempt_fiscal_years=saved.ecl_exempt_fiscal_years,
                changed_by=actor,
            )
        )
        return Country(**saved._mapping)

    async def country_revisions(self, iso3: str) -> list[CountryRevision]:
        stmt = (
            select(country_revision)
            .where(country_revision.c.iso3 == iso3)
            .order_by(country_revision.c.version)
        )
        return [CountryRevision(**r._mapping) for r in (await self.session.execute(stmt)).all()]


def class_facts(row: Row[Any]) -> ClassFacts:
    return ClassFacts(
        class_id=row.class_id,
        masl_id=row.masl_id,
        fiscal_year=row.fiscal_year,
        start_date=row.start_date,
        end_date=row.end_date,
        report_date=row.report_date,
        status=row.status,
    )


def course_facts(row: Row[Any]) -> CourseFacts:
    english = None
    if row.english_test is not None and row.english_min_score is not None:
        english = EnglishRequirement(row.english_test, row.english_min_score)
    return CourseFacts(
        masl_id=row.masl_id,
        title=row.title,
        institution_name=row.institution_name,
        location=row.location,
        english=english,
        eimet_certified_on=row.eimet_certified_on,
        active=row.active,
        eimet_certified_through=row.eimet_certified_through,
    )


def country_facts(row: Row[Any]) -> CountryFacts:
    return CountryFacts(
        iso3=row.iso3,
        sanctioned=row.sanctioned,
        ecl_exempt_fiscal_years=frozenset(row.ecl_exempt_fiscal_years),
    )
