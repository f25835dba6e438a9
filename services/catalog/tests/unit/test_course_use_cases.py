"""Course and institution use cases on the fakes: what is published, audited and refused."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from catalog.domain.errors import (
    CourseExists,
    InstitutionExists,
    InstitutionInUse,
    InvalidCourse,
    UnknownInstitution,
)
from catalog.service_layer import courses, institutions
from catalog.service_layer.unit_of_work import no_check
from services.catalog.tests.unit.builders import EIMET, FakeCatalog
from shared.contracts.catalog import v1
from shared.errors import PreconditionFailed


def refuse_stale(resource_id: object, version: int) -> None:
    raise PreconditionFailed("The version you read has changed.")


async def test_a_published_course_carries_its_institution_tuition_and_eimet_end_date() -> None:
    catalog = FakeCatalog()
    school = await catalog.institution(government_mess=True)
    course = catalog.new_course(
        school.id, tuition={2028: Decimal("19982.00")}, eimet_certified_on=date(2024, 2, 29)
    )

    async with catalog.uow() as uow:
        await courses.publish_course(uow, course, EIMET)
        await uow.commit()

    [published] = uow.committed_events
    assert isinstance(published, v1.CoursePublishedV1)
    assert published.masl_id == course.masl_id
    assert (published.institution.institution_id, published.institution.government_mess) == (
        school.id,
        True,
    )
    assert [(t.fiscal_year, t.amount) for t in published.tuition] == [(2028, Decimal("19982.00"))]
    assert published.eimet_certified_through == date(2029, 2, 27)  # the day before 28 February
    assert [(a.action, a.entity_id) for a in uow.committed_audits] == [
        ("course.published", course.masl_id)
    ]
    assert course.masl_id in catalog.store.courses


async def test_a_course_with_a_taken_number_or_an_unknown_school_changes_nothing() -> None:
    catalog = FakeCatalog()
    existing = await catalog.course()
    other_school = await catalog.institution()
    ghost_school = catalog.new_course(uuid.uuid4())

    async with catalog.uow() as uow:
        with pytest.raises(CourseExists):
            await courses.publish_course(
                uow, catalog.new_course(other_school.id, masl_id=existing.masl_id), EIMET
            )
        with pytest.raises(UnknownInstitution):
            await courses.publish_course(uow, ghost_school, EIMET)
        with pytest.raises(InvalidCourse):
            await courses.publish_course(
                uow, catalog.new_course(other_school.id, min_class_size=9, max_class_size=3), EIMET
            )
        await uow.commit()

    assert uow.committed_events == []
    assert uow.committed_audits == []
    assert catalog.store.courses[existing.masl_id].institution_id == existing.institution_id


async def test_new_tuition_rates_keep_the_other_years_and_the_change_is_published() -> None:
    catalog = FakeCatalog()
    course = await catalog.course(tuition={2027: Decimal("12000.00")})

    async with catalog.uow() as uow:
        updated, _ = await courses.update_course(
            uow, course.masl_id, {"title": "Renamed"}, {2028: Decimal("12500.00")}, no_check, EIMET
        )
        await uow.commit()

    assert updated.version == course.version + 1
    assert catalog.store.courses[course.masl_id].tuition == {
        2027: Decimal("12000.00"),
        2028: Decimal("12500.00"),
    }
    [changed] = uow.committed_events
    assert isinstance(changed, v1.CourseChangedV1)
    assert (changed.title, changed.version) == ("Renamed", course.version + 1)
    [audit] = uow.committed_audits
    assert audit.action == "course.updated"
    assert (audit.before or {}).get("title") == course.title


async def test_an_update_that_changes_nothing_publishes_nothing() -> None:
    catalog = FakeCatalog()
    course = await catalog.course()

    async with catalog.uow() as uow:
        same, _ = await courses.update_course(
            uow, course.masl_id, {"title": course.title}, dict(course.tuition), no_check, EIMET
        )
        await uow.commit()

    assert same.version == course.version
    assert uow.committed_events == []


async def test_a_stale_version_refuses_the_update() -> None:
    catalog = FakeCatalog()
    course = await catalog.course()

    async with catalog.uow() as uow:
        with pytest.raises(PreconditionFailed):
            await courses.update_course(
                uow, course.masl_id, {"title": "X"}, {}, refuse_stale, EIMET
            )

    assert catalog.store.courses[course.masl_id].title == course.title


async def test_a_retired_course_is_published_inactive_and_retiring_it_again_is_a_no_op() -> None:
    catalog = FakeCatalog()
    course = await catalog.course()

    async with catalog.uow() as uow:
        retired, _ = await courses.retire_course(uow, course.masl_id, no_check, EIMET)
        again, _ = await courses.retire_course(uow, course.masl_id, no_check, EIMET)
        await uow.commit()

    assert (retired.active, again.version) == (False, retired.version)
    [changed] = uow.committed_events
    assert isinstance(changed, v1.CourseChangedV1)
    assert changed.active is False


async def test_a_changed_school_republishes_each_of_its_courses() -> None:
    catalog = FakeCatalog()
    school = await catalog.institution(government_quarters=False)
    first, second = await catalog.course(school.id), await catalog.course(school.id)

    async with catalog.uow() as uow:
        await institutions.update_institution(
            uow, school.id, {"government_quarters": True}, no_check, EIMET
        )
        await uow.commit()

    changed = [e for e in uow.committed_events if isinstance(e, v1.CourseChangedV1)]
    assert sorted(e.masl_id for e in changed) == sorted([first.masl_id, second.masl_id])
    assert all(e.institution.government_quarters for e in changed)
    assert [a.action for a in uow.committed_audits].count("course.institution_changed") == 2
    assert catalog.store.institutions[school.id].version == school.version + 1


async def test_school_names_are_unique_in_any_letter_case_and_a_school_with_courses_stays() -> None:
    catalog = FakeCatalog()
    school = await catalog.institution(name="Naval Small Craft School")
    await catalog.course(school.id)

    async with catalog.uow() as uow:
        with pytest.raises(InstitutionExists):
            await institutions.create_institution(
                uow,
                name="NAVAL small craft school",
                location="Elsewhere",
                implementing_agency=school.implementing_agency,
                government_quarters=False,
                government_mess=False,
            )
        with pytest.raises(InstitutionInUse):
            await institutions.delete_institution(uow, school.id, no_check)
        await uow.commit()

    assert list(catalog.store.institutions) == [school.id]
    assert uow.committed_audits == []
