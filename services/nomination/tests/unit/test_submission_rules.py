"""Validation at the door: each rule on its own, and all failures reported together."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

import pytest

from nomination.domain.candidate import EnglishTestResult, Person
from nomination.domain.reference import ClassFacts, CountryFacts, CourseFacts, EnglishRequirement
from nomination.domain.rules import Rules
from nomination.domain.submission import (
    Submission,
    eimet_problem,
    english_problem,
    submission_problems,
)

TODAY = date(2026, 11, 30)
RULES = Rules()
CLASS_ID = uuid4()
KLASS = ClassFacts(
    CLASS_ID, "B171002", 2027, date(2027, 2, 1), date(2027, 6, 30), date(2027, 1, 29), "open"
)
COURSE = CourseFacts(
    "B171002", "Infantry Captains Career Course", "Maneuver Center of Excellence",
    "Fort Benning, GA", EnglishRequirement("ecl", 80), date(2024, 5, 1), True,
)  # fmt: skip
COUNTRY = CountryFacts("GTM", sanctioned=False, ecl_exempt_fiscal_years=frozenset())
PERSON = Person(
    family_names="PÉREZ GARCÍA", given_names="María José", country="GTM", sex="F",
    date_of_birth=date(1990, 4, 12), place_of_birth="Quetzaltenango", service="army",
    rank="Capitán", pay_grade="O-3", unit_name="Brigada 1", position="Company commander",
    passport_number="G12345678",
    english_tests=(EnglishTestResult("ecl", 82, TODAY - timedelta(days=30)),),
)  # fmt: skip
SUBMISSION = Submission("GTM", CLASS_ID, "B171002", 2027, "imet")


def codes(**changes: object) -> list[str]:
    arguments: dict[str, object] = {
        "submission": SUBMISSION, "person": PERSON, "klass": KLASS, "course": COURSE,
        "country": COUNTRY, "duplicate": False, "rules": RULES, "today": TODAY,
    }  # fmt: skip
    arguments.update(changes)
    return [p.code for p in submission_problems(**arguments)]  # type: ignore[arg-type]


def test_a_complete_nomination_for_an_open_class_passes() -> None:
    assert codes() == []


def test_a_full_class_still_takes_nominations_for_its_waitlist() -> None:
    assert codes(klass=replace(KLASS, status="full")) == []


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_a_closed_or_cancelled_class_is_refused(status: str) -> None:
    assert codes(klass=replace(KLASS, status=status)) == ["class-not-open"]


def test_an_unknown_class_is_refused() -> None:
    assert codes(klass=None, course=None) == ["class-unknown"]


def test_a_class_whose_report_date_passed_is_refused() -> None:
    assert codes(today=KLASS.report_date + timedelta(days=1), person=replace(
        PERSON, english_tests=(EnglishTestResult("ecl", 90, KLASS.report_date),)
    )) == ["class-started"]  # fmt: skip


def test_a_fiscal_year_other_than_the_classes_is_refused() -> None:
    assert codes(submission=replace(SUBMISSION, fiscal_year=2026)) == ["fiscal-year-mismatch"]


def test_a_class_of_another_course_is_refused() -> None:
    assert codes(submission=replace(SUBMISSION, masl_id="D177014")) == ["course-mismatch"]


def test_a_class_whose_course_is_not_known_yet_is_refused() -> None:
    assert codes(course=None) == ["course-unknown"]


def test_an_inactive_course_is_refused() -> None:
    assert codes(course=replace(COURSE, active=False)) == ["course-inactive"]


def test_an_incomplete_candidate_lists_every_missing_field() -> None:
    incomplete = replace(PERSON, date_of_birth=None, passport_number="")

    problems = submission_problems(
        submission=SUBMISSION, person=incomplete, klass=KLASS, course=COURSE, country=COUNTRY,
        duplicate=False, rules=RULES, today=TODAY,
    )  # fmt: skip

    assert [(p.code, p.field) for p in problems] == [
        ("candidate-incomplete", "candidate.date_of_birth"),
        ("candidate-incomplete", "candidate.passport_number"),
    ]


def test_a_country_under_sanctions_is_refused() -> None:
    assert codes(country=replace(COUNTRY, sanctioned=True)) == ["country-sanctioned"]


def test_a_country_missing_from_the_reference_data_is_refused() -> None:
    assert codes(country=None) == ["country-not-registered"]


def test_a_duplicate_active_nomination_is_refused() -> None:
    assert codes(duplicate=True) == ["duplicate-nomination"]


def test_every_failed_rule_is_reported_at_once() -> None:
    found = codes(
        submission=replace(SUBMISSION, fiscal_year=2026, funding_source="eimet"),
        country=replace(COUNTRY, sanctioned=True),
        person=replace(PERSON, english_tests=()),
        course=replace(COURSE, eimet_certified_on=None),
        duplicate=True,
    )

    assert sorted(found) == sorted(
        [
            "country-sanctioned", "fiscal-year-mismatch", "ecl-missing",
            "course-not-eimet-certified", "duplicate-nomination",
        ]
    )  # fmt: skip


def ecl(score: int, days_ago: int) -> tuple[EnglishTestResult, ...]:
    return (EnglishTestResult("ecl", score, TODAY - timedelta(days=days_ago)),)


def english(tests: tuple[EnglishTestResult, ...], **changes: object) -> str | None:
    course = changes.pop("course", COURSE)
    country = changes.pop("country", COUNTRY)
    problem = english_problem(tests, course, country, 2027, RULES, TODAY)  # type: ignore[arg-type]
    return None if problem is None else problem.code


def test_an_ecl_score_at_the_course_minimum_passes() -> None:
    assert english(ecl(80, 10)) is None


def test_an_ecl_score_below_the_course_minimum_is_refused() -> None:
    assert english(ecl(79, 10)) == "ecl-below-minimum"


def test_an_ecl_score_is_valid_for_exactly_the_configured_number_of_days() -> None:
    assert english(ecl(85, RULES.ecl_validity_days)) is None
    assert english(ecl(85, RULES.ecl_validity_days + 1)) == "ecl-missing"


def test_the_validity_period_is_a_setting() -> None:
    problem = english_problem(
        ecl(85, 50), COURSE, COUNTRY, 2027, Rules(ecl_validity_days=30), TODAY
    )

    assert problem is not None
    assert problem.code == "ecl-missing"


def test_the_best_valid_ecl_counts_and_expired_ones_do_not() -> None:
    tests = (*ecl(95, 200), *ecl(70, 5), *ecl(81, 40))

    assert english(tests) is None
    assert english(tests[:2]) == "ecl-below-minimum"


def test_students_of_a_country_exempt_for_the_fiscal_year_are_tested_on_arrival() -> None:
    exempt = replace(COUNTRY, ecl_exempt_fiscal_years=frozenset({2027}))
    exempt_other_year = replace(COUNTRY, ecl_exempt_fiscal_years=frozenset({2026}))

    assert english((), country=exempt) is None
    assert english((), country=exempt_other_year) == "ecl-missing"


def test_a_toefl_course_needs_a_toefl_score_and_ignores_ecl_and_exemptions() -> None:
    nps = replace(COURSE, english=EnglishRequirement("toefl_ibt", 83))
    exempt = replace(COUNTRY, ecl_exempt_fiscal_years=frozenset({2027}))
    toefl = (EnglishTestResult("toefl_ibt", 90, TODAY - timedelta(days=400)),)

    assert english(ecl(100, 1), course=nps, country=exempt) == "toefl_ibt-missing"
    assert english(toefl, course=nps) is None


def test_a_course_without_an_english_requirement_needs_no_test() -> None:
    assert english((), course=replace(COURSE, english=None)) is None


def certified(on: date, through: date) -> CourseFacts:
    return replace(COURSE, eimet_certified_on=on, eimet_certified_through=through)


def test_eimet_funding_needs_a_certified_course() -> None:
    problem = eimet_problem("eimet", replace(COURSE, eimet_certified_on=None), TODAY)

    assert problem is not None
    assert problem.code == "course-not-eimet-certified"


def test_a_certification_without_the_catalogs_end_date_is_not_trusted() -> None:
    problem = eimet_problem("eimet", replace(COURSE, eimet_certified_through=None), TODAY)

    assert problem is not None
    assert problem.code == "course-not-eimet-certified"


def test_an_eimet_certification_holds_through_its_published_last_day_and_not_a_day_more() -> None:
    # The catalog: certified 2021-11-30, five years, lapsed on the anniversary 2026-11-30.
    course = certified(date(2021, 11, 30), through=date(2026, 11, 29))

    assert eimet_problem("eimet", course, date(2026, 11, 29)) is None
    on_the_anniversary = eimet_problem("eimet", course, date(2026, 11, 30))
    assert on_the_anniversary is not None
    assert on_the_anniversary.code == "eimet-certification-lapsed"


def test_imet_funding_does_not_care_about_eimet_certification() -> None:
    assert eimet_problem("imet", replace(COURSE, eimet_certified_on=None), TODAY) is None


def test_a_class_starting_in_october_to_december_may_use_the_previous_years_funds() -> None:
    december = replace(
        KLASS, start_date=date(2027, 12, 6), end_date=date(2028, 2, 1), fiscal_year=2028
    )

    assert codes(klass=december, submission=replace(SUBMISSION, fiscal_year=2027)) == []
    assert codes(klass=december, submission=replace(SUBMISSION, fiscal_year=2028)) == []
    assert codes(klass=december, submission=replace(SUBMISSION, fiscal_year=2026)) == [
        "fiscal-year-mismatch"
    ]


def test_a_class_starting_after_december_belongs_to_its_own_year_only() -> None:
    january = replace(
        KLASS, start_date=date(2028, 1, 3), end_date=date(2028, 3, 1), fiscal_year=2028
    )

    assert codes(klass=january, submission=replace(SUBMISSION, fiscal_year=2027)) == [
        "fiscal-year-mismatch"
    ]
    assert codes(klass=january, submission=replace(SUBMISSION, fiscal_year=2028)) == []
