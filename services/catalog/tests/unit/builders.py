"""Builders of the fast tier: institutions, courses, classes and seats made through the use
cases on the fakes (committed), unique per test."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from catalog.domain.course import (
    Course,
    CourseCategory,
    EimetPolicy,
    EnglishRequirement,
    EnglishTest,
    Institution,
)
from catalog.domain.masl import Agency
from catalog.domain.offering import CourseClass
from catalog.domain.seats import HoldPolicy, Seat
from catalog.service_layer import classes, courses, institutions
from catalog.service_layer.seating import request_seat
from services.catalog.tests.unit.fakes import CatalogStore, FakeCatalogUnitOfWork
from shared.contracts.envelope import IntegrationEvent

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
POLICY = HoldPolicy(lead_days=16, min_hours=24)
EIMET = EimetPolicy(validity_years=5, warning_days=180)


def random_masl() -> str:
    return f"{random.choice('BDPMZQ')}{random.randint(0, 999_999):06d}"


class FakeCatalog:
    """One test's catalog: a store, units of work on it, and builders that commit."""

    def __init__(self) -> None:
        self.store = CatalogStore()
        self.units: list[FakeCatalogUnitOfWork] = []

    def uow(self) -> FakeCatalogUnitOfWork:
        unit = FakeCatalogUnitOfWork(self.store)
        self.units.append(unit)
        return unit

    def published(self) -> list[IntegrationEvent]:
        """Every event committed by this test's units of work, in commit order."""
        return [e for unit in self.units for e in unit.committed_events]

    def kinds(self) -> list[str]:
        """`seat_held`, `class_changed`, ... of the committed events, in order."""
        return [e.TYPE.split(".")[2] for e in self.published()]

    async def institution(self, **overrides: Any) -> Institution:
        values: dict[str, Any] = {
            "name": f"Test School {uuid.uuid4().hex[:10]}",
            "location": "Fort Test, KS",
            "implementing_agency": Agency.ARMY,
            "government_quarters": True,
            "government_mess": False,
        }
        async with self.uow() as uow:
            item = await institutions.create_institution(uow, **{**values, **overrides})
            await uow.commit()
        return item

    def new_course(self, institution_id: uuid.UUID, **overrides: Any) -> Course:
        values: dict[str, Any] = {
            "masl_id": random_masl(),
            "title": f"Test Course {uuid.uuid4().hex[:8]}",
            "institution_id": institution_id,
            "category": CourseCategory.TECHNICAL,
            "duration_weeks": Decimal("8"),
            "english_requirement": EnglishRequirement(EnglishTest.ECL, 70),
            "eimet_certified_on": None,
            "dedicated_international": False,
            "min_class_size": 1,
            "max_class_size": 200,
            "tuition": {2027: Decimal("12000.00")},
        }
        return Course(**{**values, **overrides})

    async def course(self, institution_id: uuid.UUID | None = None, **overrides: Any) -> Course:
        institution_id = institution_id or (await self.institution()).id
        async with self.uow() as uow:
            item, _ = await courses.publish_course(
                uow, self.new_course(institution_id, **overrides), EIMET
            )
            await uow.commit()
        return item

    async def offering(self, capacity: int = 5, masl_id: str | None = None) -> CourseClass:
        masl_id = masl_id or (await self.course()).masl_id
        start = NOW.date() + timedelta(days=120)
        async with self.uow() as uow:
            item = await classes.schedule_class(
                uow,
                masl_id=masl_id,
                start_date=start,
                end_date=start + timedelta(days=60),
                report_date=start - timedelta(days=3),
                capacity=capacity,
                today=NOW.date(),
            )
            await uow.commit()
        return item

    async def submit(
        self, offering: CourseClass, nomination_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        nomination_id = nomination_id or uuid.uuid4()
        async with self.uow() as uow:
            await request_seat(
                uow,
                class_id=offering.id,
                masl_id=offering.masl_id,
                nomination_id=nomination_id,
                country="GTM",
                policy=POLICY,
                now=NOW,
            )
            await uow.commit()
        return nomination_id

    def seats(self, class_id: uuid.UUID) -> dict[uuid.UUID, Seat]:
        return {n: s for (c, n), s in self.store.seats.items() if c == class_id}

    async def stored_class(self, class_id: uuid.UUID) -> CourseClass:
        async with self.uow() as uow:
            found = await uow.classes.get(class_id)
        assert found is not None
        return found
