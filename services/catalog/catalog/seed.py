"""Load the demo reference data (`make run`): schoolhouses, courses, classes. Idempotent.

Everything goes through the use cases, so the other services learn the catalog from the
published events (`course_published`, `class_scheduled`) like from any manager's change.
Identifiers are derived from the data (uuid5), so a second run finds everything present.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.domain.course import Course, EimetPolicy, EnglishRequirement
from catalog.entrypoints.clock import utc_today
from catalog.seed_data import DEMO_NOTE, TUITION_ESCALATION, CourseSpec, courses, institutions
from catalog.service_layer import classes as class_cases
from catalog.service_layer import courses as course_cases
from catalog.service_layer import institutions as institution_cases
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from shared.auth.principal import system_actor
from shared.contracts.types import fiscal_year_bounds, fiscal_year_of
from shared.runtime import ServiceRuntime

SEED_NAMESPACE = uuid.UUID("6f1d2c1e-2b7a-4d8e-9a51-1c0e7d3b5a90")
CENT = Decimal("0.01")


def seed_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(SEED_NAMESPACE, ":".join(str(p) for p in parts))


def class_dates(spec: CourseSpec, fiscal_year: int) -> list[tuple[date, date, date]]:
    """(start, end, report) of the spec's classes in a fiscal year."""
    first, _ = fiscal_year_bounds(fiscal_year)
    days = int(Decimal(spec.weeks) * 7) - 3
    found = []
    for month, day in spec.starts:
        start = date(first.year if month >= 10 else first.year + 1, month, day)
        found.append(
            (start, start + timedelta(days=max(days, 0)), start - timedelta(days=spec.report_days))
        )
    return found


def course_of(spec: CourseSpec, today: date) -> Course:
    fiscal_year = fiscal_year_of(today)
    current = Decimal(spec.tuition)
    certified = None
    if spec.eimet_years_ago is not None:
        certified = today - timedelta(days=round(spec.eimet_years_ago * 365.25))
    return Course(
        masl_id=spec.masl_id,
        title=spec.title,
        institution_id=seed_id("institution", spec.institution),
        category=spec.category,
        duration_weeks=Decimal(spec.weeks),
        english_requirement=EnglishRequirement(*spec.english) if spec.english else None,
        eimet_certified_on=certified,
        dedicated_international=spec.dedicated,
        min_class_size=spec.size[0],
        max_class_size=spec.size[1],
        tuition={
            fiscal_year: current,
            fiscal_year + 1: (current * TUITION_ESCALATION).quantize(CENT),
        },
        description=f"{spec.note} {DEMO_NOTE}".strip(),
    )


async def load(uow: CatalogUnitOfWork, today: date, eimet: EimetPolicy) -> dict[str, int]:
    """Add what is missing; returns how many institutions, courses and classes were added."""
    added = {"institutions": 0, "courses": 0, "classes": 0}
    for spec in institutions():
        institution_id = seed_id("institution", spec.key)
        if await uow.institutions.get(institution_id) is None:
            await institution_cases.create_institution(
                uow,
                name=spec.name,
                location=spec.location,
                implementing_agency=spec.agency,
                government_quarters=spec.quarters,
                government_mess=spec.mess,
                institution_id=institution_id,
            )
            added["institutions"] += 1
    fiscal_year = fiscal_year_of(today)
    for course_spec in courses():
        if not await uow.courses.exists(course_spec.masl_id):
            await course_cases.publish_course(uow, course_of(course_spec, today), eimet)
            added["courses"] += 1
        for fy in (fiscal_year, fiscal_year + 1):
            for start, end, report in class_dates(course_spec, fy):
                class_id = seed_id("class", course_spec.masl_id, start)
                if start <= today or await uow.classes.get(class_id) is not None:
                    continue
                await class_cases.schedule_class(
                    uow,
                    masl_id=course_spec.masl_id,
                    start_date=start,
                    end_date=end,
                    report_date=report,
                    capacity=course_spec.capacity,
                    today=today,
                    class_id=class_id,
                )
                added["classes"] += 1
    return added


async def seed(runtime: ServiceRuntime[Any, SqlCatalogUnitOfWork]) -> str:
    """Load the demo catalog (the launcher passes the catalog's runtime)."""
    async with runtime.uow(system_actor("catalog.seed")) as uow:
        added = await load(uow, utc_today(), runtime.settings.eimet_policy())
        await uow.commit()
    return (
        f"{added['institutions']} institutions, {added['courses']} courses, "
        f"{added['classes']} classes added ({len(institutions())} schoolhouses and "
        f"{len(courses())} courses in the demo set; illustrative data)"
    )
