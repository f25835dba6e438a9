"""Funding's in-memory read model of the catalog: courses, classes, refilled seats."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from funding.domain.catalog_facts import ClassState, CourseState, LineReference
from services.funding.tests.unit.fakes.store import (
    FundingStore,
)


class FakeCatalogFacts:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def serialize_course(self, masl_id: str) -> None:
        """One test runs one unit of work at a time: nothing to serialise."""

    async def apply_course(self, state: CourseState) -> bool:
        known = self.store.courses.get(state.masl_id)
        if known is not None and known.version >= state.version:
            return False
        self.store.courses[state.masl_id] = state
        return True

    async def apply_class(self, state: ClassState) -> bool:
        known = self.store.classes.get(state.class_id)
        if known is not None and known.version >= state.version:
            return False
        self.store.classes[state.class_id] = state
        return True

    async def cancel_class(self, class_id: uuid.UUID) -> None:
        known = self.store.classes.get(class_id)
        if known is not None:
            self.store.classes[class_id] = replace(known, status="cancelled")

    async def line_reference(self, class_id: uuid.UUID) -> LineReference | None:
        known = self.store.classes.get(class_id)
        course = self.store.courses.get(known.masl_id) if known else None
        if known is None or course is None:
            return None
        return LineReference(
            known.class_id,
            known.masl_id,
            known.fiscal_year,
            known.start_date,
            known.end_date,
            course.category,
            course.dedicated_international,
            course.government_quarters,
            course.government_mess,
        )

    async def class_start(self, class_id: uuid.UUID) -> date | None:
        known = self.store.classes.get(class_id)
        return known.start_date if known else None

    async def tuition(self, masl_id: str, fiscal_year: int) -> Decimal | None:
        course = self.store.courses.get(masl_id)
        return course.tuition.get(fiscal_year) if course else None

    async def record_refill(
        self, nomination_id: uuid.UUID, class_id: uuid.UUID, refilled_by: uuid.UUID
    ) -> bool:
        if nomination_id in self.store.refills:
            return False
        self.store.refills[nomination_id] = (class_id, refilled_by)
        return True

    async def is_refilled(self, nomination_id: uuid.UUID) -> bool:
        return nomination_id in self.store.refills

    async def first_class(self, masl_id: str, fiscal_year: int) -> uuid.UUID | None:
        known = sorted(
            (c for c in self.store.classes.values()
             if c.masl_id == masl_id and c.status != "cancelled"),
            key=lambda c: (c.fiscal_year != fiscal_year, c.start_date),
        )  # fmt: skip
        return known[0].class_id if known else None
