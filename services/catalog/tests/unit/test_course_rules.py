"""Course facts and the E-IMET recertification flags."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.domain.course import (
    Course,
    CourseCategory,
    EimetPolicy,
    EnglishRequirement,
    EnglishTest,
    add_years,
)
from catalog.domain.errors import InvalidCourse, InvalidMaslNumber

POLICY = EimetPolicy(validity_years=5, warning_days=180)


def a_course(**overrides: object) -> Course:
    values: dict[str, object] = {
        "masl_id": "D177014",
        "title": "DLIELC PME Preparation",
        "institution_id": uuid.uuid4(),
        "category": CourseCategory.ENGLISH_LANGUAGE,
        "duration_weeks": Decimal("9"),
        "english_requirement": EnglishRequirement(EnglishTest.ECL, 70),
        "eimet_certified_on": None,
        "dedicated_international": True,
        "min_class_size": 4,
        "max_class_size": 24,
        "tuition": {2027: Decimal("14250.00")},
    }
    values.update(overrides)
    return Course(**values)  # type: ignore[arg-type]


def test_a_consistent_course_is_valid() -> None:
    course = a_course()

    course.validate()

    assert course.implementing_agency.value == "air_force"


@pytest.mark.parametrize(
    "overrides",
    [
        {"min_class_size": 10, "max_class_size": 9},
        {"min_class_size": 0},
        {"duration_weeks": Decimal("0")},
        {"title": "   "},
        {"tuition": {2027: Decimal("-1.00")}},
        {"tuition": {2027: Decimal("100.005")}},
    ],
)
def test_inconsistent_course_facts_are_refused(overrides: dict[str, object]) -> None:
    course = a_course(**overrides)

    with pytest.raises(InvalidCourse):
        course.validate()


def test_a_malformed_masl_number_makes_the_course_invalid() -> None:
    with pytest.raises(InvalidMaslNumber):
        a_course(masl_id="X123").validate()


@pytest.mark.parametrize(
    ("test", "score"), [(EnglishTest.ECL, 101), (EnglishTest.TOEFL_IBT, 121), (EnglishTest.ECL, -1)]
)
def test_an_english_minimum_must_fit_its_test_scale(test: EnglishTest, score: int) -> None:
    with pytest.raises(InvalidCourse):
        EnglishRequirement(test, score)


def test_a_toefl_minimum_above_the_ecl_scale_is_fine() -> None:
    requirement = EnglishRequirement(EnglishTest.TOEFL_IBT, 110)

    assert requirement.met_by(EnglishTest.TOEFL_IBT, 110)
    assert not requirement.met_by(EnglishTest.ECL, 110)


def test_setting_tuition_keeps_the_other_fiscal_years() -> None:
    course = a_course(tuition={2027: Decimal("100.00"), 2028: Decimal("110.00")})

    course.set_tuition({2028: Decimal("120.00"), 2029: Decimal("130.00")})

    assert course.tuition == {
        2027: Decimal("100.00"),
        2028: Decimal("120.00"),
        2029: Decimal("130.00"),
    }


def test_a_certification_lapses_on_its_fifth_anniversary() -> None:
    certified = date(2021, 11, 28)

    before = POLICY.status(certified, date(2026, 11, 27))
    on = POLICY.status(certified, date(2026, 11, 28))

    assert (before.lapsed, before.recertification_due) == (False, True)
    assert (on.lapsed, on.recertification_due) == (True, False)
    assert on.recertification_due_on == date(2026, 11, 28)


def test_a_certification_is_due_only_within_the_warning_window() -> None:
    certified = date(2022, 6, 1)
    due_on = date(2027, 6, 1)

    early = POLICY.status(certified, due_on - timedelta(days=181))
    warned = POLICY.status(certified, due_on - timedelta(days=180))

    assert not early.recertification_due
    assert warned.recertification_due
    assert warned.current


def test_a_course_never_certified_is_neither_due_nor_lapsed() -> None:
    status = POLICY.status(None, date(2026, 11, 28))

    assert (status.recertification_due, status.lapsed, status.current) == (False, False, False)


def test_the_last_certified_day_is_the_day_before_the_anniversary() -> None:
    assert POLICY.certified_through(date(2021, 11, 28)) == date(2026, 11, 27)
    assert POLICY.certified_through(date(2024, 2, 29)) == date(2029, 2, 27)
    assert POLICY.certified_through(None) is None


def test_a_leap_day_certification_renews_on_28_february() -> None:
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)


@given(
    certified=st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    today=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
)
def test_a_certification_is_exactly_one_of_current_or_lapsed(certified: date, today: date) -> None:
    status = POLICY.status(certified, today)

    assert status.current != status.lapsed
    assert not (status.lapsed and status.recertification_due)
