"""The demo reference data is consistent, current and clearly illustrative."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.domain.course import CourseCategory, EnglishTest
from catalog.domain.offering import validate_schedule
from catalog.seed import class_dates, course_of
from catalog.seed_data import DEMO_NOTE, courses, institutions
from shared.contracts.types import fiscal_year_bounds

TODAY = date(2026, 11, 28)


def test_there_are_at_least_thirty_courses_with_unique_masl_numbers() -> None:
    masl_ids = [c.masl_id for c in courses()]

    assert len(masl_ids) >= 30
    assert len(set(masl_ids)) == len(masl_ids)


@pytest.mark.parametrize("spec", courses(), ids=lambda c: c.masl_id)
def test_every_course_is_valid_illustrative_and_priced_for_two_fiscal_years(spec: object) -> None:
    course = course_of(spec, TODAY)  # type: ignore[arg-type]

    course.validate()

    assert course.min_class_size <= spec.capacity <= course.max_class_size  # type: ignore[attr-defined]
    assert DEMO_NOTE in course.description
    assert sorted(course.tuition) == [2027, 2028]
    assert spec.institution in {i.key for i in institutions()}  # type: ignore[attr-defined]


@pytest.mark.parametrize("fiscal_year", [2027, 2028])
def test_class_dates_fall_in_their_fiscal_year_and_are_consistent(fiscal_year: int) -> None:
    first, last = fiscal_year_bounds(fiscal_year)

    for spec in courses():
        for start, end, report in class_dates(spec, fiscal_year):
            validate_schedule(start, end, report)
            assert first <= start <= last


def test_the_anchors_named_in_the_domain_guide_are_there() -> None:
    by_masl = {c.masl_id: course_of(c, TODAY) for c in courses()}
    names = " ".join(i.name for i in institutions())

    assert by_masl["D177014"].title == "DLIELC PME Preparation"
    assert by_masl["P177022"].title == "DLIELC Advanced Language Proficiency"
    nps = [
        c
        for c in by_masl.values()
        if c.english_requirement and c.english_requirement.test is EnglishTest.TOEFL_IBT
    ]
    assert {c.english_requirement.min_score for c in nps if c.english_requirement} == {83, 90}
    assert by_masl["B171001"].english_requirement.min_score == 80  # type: ignore[union-attr]
    assert by_masl["B171051"].english_requirement.min_score == 80  # type: ignore[union-attr]
    for school in (
        "DLIELC",
        "National War College",
        "Eisenhower School",
        "Army War College",
        "Command and General Staff College",
        "Naval Postgraduate School",
        "NAVSCIATTS",
        "IAAFA",
        "WHINSEC",
        "Naval War College",
        "Air War College",
        "Coast Guard",
    ):
        assert school in names
    assert {c.category for c in by_masl.values()} == set(CourseCategory)
