"""Institution use cases: create, change, delete a schoolhouse."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from catalog.domain.course import EimetPolicy, Institution
from catalog.domain.errors import InstitutionExists, InstitutionInUse, InstitutionNotFound
from catalog.domain.events import CourseChanged
from catalog.domain.masl import Agency
from catalog.service_layer.unit_of_work import CatalogUnitOfWork, VersionCheck, snapshot


async def create_institution(
    uow: CatalogUnitOfWork,
    *,
    name: str,
    location: str,
    implementing_agency: Agency,
    government_quarters: bool,
    government_mess: bool,
    institution_id: UUID | None = None,
) -> Institution:
    """Register a schoolhouse. Its name is unique (regardless of letter case); whether it has
    government quarters and a government mess decides the students' living allowance."""
    if await uow.institutions.name_taken(name):
        raise InstitutionExists(f"An institution named {name!r} exists.")
    item = Institution(
        id=institution_id or uuid.uuid4(),
        name=name,
        location=location,
        implementing_agency=implementing_agency,
        government_quarters=government_quarters,
        government_mess=government_mess,
    )
    await uow.institutions.add(item)
    uow.audit("institution.created", "institution", str(item.id), after=snapshot(item))
    return item


async def load_institution(
    uow: CatalogUnitOfWork, institution_id: UUID, *, lock: bool = False
) -> Institution:
    item = await uow.institutions.get(institution_id, lock=lock)
    if item is None:
        raise InstitutionNotFound(f"No institution {institution_id}.")
    return item


async def update_institution(
    uow: CatalogUnitOfWork,
    institution_id: UUID,
    changes: Mapping[str, Any],
    check: VersionCheck,
    eimet: EimetPolicy,
) -> Institution:
    """Change a schoolhouse's facts. Its courses carry it in their published state, so each of
    them is republished (`course_changed`) for the other services' read models."""
    item = await load_institution(uow, institution_id, lock=True)
    check(item.id, item.version)
    updated = dataclasses.replace(item, **changes)
    if updated == item:
        return item
    if "name" in changes and await uow.institutions.name_taken(updated.name, other_than=item.id):
        raise InstitutionExists(f"An institution named {updated.name!r} exists.")
    updated.version += 1
    await uow.institutions.save(updated)
    uow.audit(
        "institution.updated",
        "institution",
        str(item.id),
        before=snapshot(item),
        after=snapshot(updated),
    )
    for course in await uow.courses.of_institution(item.id, lock=True):
        course.version += 1
        await uow.courses.save(course)
        uow.audit(
            "course.institution_changed",
            "course",
            course.masl_id,
            before={"version": course.version - 1},
            after={"version": course.version},
        )
        uow.emit([CourseChanged(course, updated, eimet)])
    return updated


async def delete_institution(
    uow: CatalogUnitOfWork, institution_id: UUID, check: VersionCheck
) -> None:
    """Remove a schoolhouse that has no courses (courses are retired, never deleted)."""
    item = await load_institution(uow, institution_id, lock=True)
    check(item.id, item.version)
    if await uow.institutions.has_courses(item.id):
        raise InstitutionInUse("The institution has courses in the catalog; it cannot be deleted.")
    await uow.institutions.delete(item.id)
    uow.audit("institution.deleted", "institution", str(item.id), before=snapshot(item))
