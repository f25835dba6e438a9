"""Course use cases: publish a course, change it (facts and tuition), retire it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from catalog.domain.course import Course, EimetPolicy, Institution
from catalog.domain.errors import CourseExists, CourseNotFound, UnknownInstitution
from catalog.domain.events import CourseChanged, CoursePublished
from catalog.domain.masl import validate_masl
from catalog.service_layer.unit_of_work import CatalogUnitOfWork, VersionCheck, no_check, snapshot


async def _institution_of(uow: CatalogUnitOfWork, course: Course) -> Institution:
    institution = await uow.institutions.get(course.institution_id)
    if institution is None:
        raise UnknownInstitution(f"No institution {course.institution_id}.", field="institution_id")
    return institution


async def load_course(uow: CatalogUnitOfWork, masl_id: str, *, lock: bool = False) -> Course:
    course = await uow.courses.get(validate_masl(masl_id), lock=lock)
    if course is None:
        raise CourseNotFound(f"No course {masl_id} in the catalog.")
    return course


async def publish_course(
    uow: CatalogUnitOfWork, course: Course, eimet: EimetPolicy
) -> tuple[Course, Institution]:
    """Add a course under its MASL number (unique) at an existing institution. Its facts must be
    consistent (1 <= min <= max class size, an English minimum on its test's scale, tuition in
    whole cents) and are published in full (`course_published`)."""
    course.validate()
    institution = await _institution_of(uow, course)
    if await uow.courses.exists(course.masl_id):
        raise CourseExists(f"Course {course.masl_id} is already in the catalog.")
    await uow.courses.add(course)
    uow.audit("course.published", "course", course.masl_id, after=snapshot(course))
    uow.emit([CoursePublished(course, institution, eimet)])
    return course, institution


async def update_course(
    uow: CatalogUnitOfWork,
    masl_id: str,
    changes: Mapping[str, Any],
    tuition: Mapping[int, Decimal],
    check: VersionCheck,
    eimet: EimetPolicy,
) -> tuple[Course, Institution]:
    """Change a course's facts and set the tuition of the given fiscal years (other years keep
    their rate; a rate is never removed, funding may have costed it). The new state is published
    (`course_changed`); classes already scheduled keep their capacity."""
    course = await load_course(uow, masl_id, lock=True)
    check(course.masl_id, course.version)
    updated = dataclasses.replace(course, **changes)
    updated.set_tuition(dict(tuition))
    if updated == course:
        return course, await _institution_of(uow, course)
    updated.validate()
    institution = await _institution_of(uow, updated)
    updated.version += 1
    await uow.courses.save(updated)
    uow.audit(
        "course.updated", "course", course.masl_id, before=snapshot(course), after=snapshot(updated)
    )
    uow.emit([CourseChanged(updated, institution, eimet)])
    return updated, institution


async def retire_course(
    uow: CatalogUnitOfWork, masl_id: str, check: VersionCheck, eimet: EimetPolicy
) -> tuple[Course, Institution]:
    """Stop offering a course: no new classes; scheduled classes and seats stay. The course
    stays readable (other services may still reference it) and can be reactivated."""
    course = await load_course(uow, masl_id, lock=True)
    check(course.masl_id, course.version)
    if not course.active:
        return course, await _institution_of(uow, course)
    return await update_course(uow, masl_id, {"active": False}, {}, no_check, eimet)
