"""The in-memory catalog read model, vetting units and country reference data (the twin of
adapters/repositories/reference.py): catalog news is applied only when its version is newer,
and a class cancellation sticks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from nomination.domain.reference import (
    ClassFacts,
    Country,
    CountryFacts,
    CountryRevision,
    CourseFacts,
    EnglishRequirement,
    Unit,
)
from services.nomination.tests.unit.fakes.store import NominationStore, StoredClass


class MemoryReference:
    def __init__(self, store: NominationStore) -> None:
        self.store = store

    async def upsert_course(self, event: Any) -> bool:
        stored = self.store.courses.get(event.masl_id)
        if stored is not None and stored[1] >= event.version:
            return False
        english = event.english_requirement
        facts = CourseFacts(
            masl_id=event.masl_id, title=event.title, institution_name=event.institution.name,
            location=event.institution.location,
            english=EnglishRequirement(english.test, english.min_score) if english else None,
            eimet_certified_on=event.eimet_certified_on, active=event.active,
            eimet_certified_through=event.eimet_certified_through,
        )  # fmt: skip
        self.store.courses[event.masl_id] = (facts, event.version)
        return True

    async def upsert_class(self, event: Any) -> bool:
        stored = self.store.classes.get(event.class_id)
        if stored is not None and stored.version >= event.version:
            return False
        cancelled = stored is not None and stored.cancelled
        facts = ClassFacts(
            class_id=event.class_id, masl_id=event.masl_id, fiscal_year=event.fiscal_year,
            start_date=event.start_date, end_date=event.end_date, report_date=event.report_date,
            status="cancelled" if cancelled else event.status,
        )  # fmt: skip
        self.store.classes[event.class_id] = StoredClass(facts, event.version, cancelled)
        return True

    async def upsert_unit(self, event: Any) -> None:
        self.store.units[event.unit_id] = Unit(
            unit_id=event.unit_id, country=event.country, name=event.unit_name,
            parent_unit_id=event.parent_unit_id, updated_at=datetime.now(UTC),
        )  # fmt: skip

    async def cancel_class(self, class_id: UUID, cancelled_at: datetime) -> bool:
        stored = self.store.classes.get(class_id)
        if stored is None or stored.cancelled:
            return False
        self.store.classes[class_id] = StoredClass(
            replace(stored.facts, status="cancelled"), stored.version, True
        )
        return True

    async def unit(self, unit_id: UUID) -> Unit | None:
        return self.store.units.get(unit_id)

    async def class_facts(self, class_id: UUID) -> ClassFacts | None:
        stored = self.store.classes.get(class_id)
        return None if stored is None else stored.facts

    async def course_facts(self, masl_id: str) -> CourseFacts | None:
        stored = self.store.courses.get(masl_id)
        return None if stored is None else stored[0]

    async def country_facts(self, iso3: str) -> CountryFacts | None:
        c = self.store.countries.get(iso3)
        if c is None:
            return None
        return CountryFacts(c.iso3, c.sanctioned, frozenset(c.ecl_exempt_fiscal_years))

    async def country_record(self, iso3: str, *, for_update: bool = False) -> Country | None:
        return self.store.countries.get(iso3)

    async def save_country(self, values: dict[str, Any], actor: str) -> Country:
        saved = Country(**values, updated_by=actor, updated_at=datetime.now(UTC))
        self.store.countries[saved.iso3] = saved
        self.store.revisions.append(
            CountryRevision(
                iso3=saved.iso3, version=saved.version, name=saved.name,
                sanctioned=saved.sanctioned, sanctions_reason=saved.sanctions_reason,
                ecl_exempt_fiscal_years=list(saved.ecl_exempt_fiscal_years),
                changed_at=saved.updated_at, changed_by=actor,
            )
        )  # fmt: skip
        return saved

    async def country_revisions(self, iso3: str) -> list[CountryRevision]:
        return sorted((r for r in self.store.revisions if r.iso3 == iso3), key=lambda r: r.version)
