"""The ITO gate lists everything missing; the number and the content digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

from nomination.domain.candidate import Person
from nomination.domain.reference import ClassFacts
from nomination.domain.rules import Rules
from nomination.domain.states import Funding, Seat, State, Vetting
from nomination.domain.submission import Problem
from nomination.domain.travel_order import (
    Screening,
    content_digest,
    gate_problems,
    is_data_complete,
    ito_number,
)

KLASS = ClassFacts(
    uuid4(), "D177014", 2027, date(2027, 2, 1), date(2027, 5, 1), date(2027, 1, 29), "open"
)
READY = Screening(
    state=State.READY_FOR_TRAVEL, seat=Seat.CONFIRMED, vetting=Vetting.APPROVED,
    vetting_valid_until=date(2027, 9, 30), funding=Funding.OBLIGATED,
    medical_cleared_on=date(2026, 10, 1), security_screened_on=date(2026, 10, 2),
    data_complete_on=date(2026, 10, 2),
)  # fmt: skip
RULES = Rules()


def missing(screening: Screening, english: Problem | None = None) -> list[str]:
    return [p.code for p in gate_problems(screening, KLASS, english, RULES)]


def test_a_fully_screened_nomination_passes_the_gate() -> None:
    assert missing(READY) == []


def test_an_unscreened_nomination_is_told_everything_that_is_missing() -> None:
    submitted = Screening(
        State.VETTING, Seat.HELD, Vetting.PENDING, None, Funding.NONE, None, None, None
    )
    english = Problem("ecl-missing", "candidate.english_tests", "no ECL")

    assert missing(submitted, english) == [
        "not-ready-for-travel",
        "vetting-not-approved",
        "ecl-missing",
        "medical-clearance-missing",
        "security-screening-missing",
        "funds-not-obligated",
        "seat-not-confirmed",
        "data-incomplete",
    ]


def test_an_approval_that_lapses_before_the_report_date_closes_the_gate() -> None:
    lapsing = replace(READY, vetting_valid_until=KLASS.report_date - timedelta(days=1))

    assert missing(lapsing) == ["vetting-lapses"]


def test_data_completed_on_the_deadline_passes_and_a_day_later_does_not() -> None:
    deadline = KLASS.report_date - timedelta(days=RULES.data_complete_days_before_report)

    assert missing(replace(READY, data_complete_on=deadline)) == []
    assert missing(replace(READY, data_complete_on=deadline + timedelta(days=1))) == [
        "data-incomplete"
    ]


def test_the_data_deadline_is_a_setting() -> None:
    late = replace(READY, data_complete_on=KLASS.report_date - timedelta(days=10))

    problems = gate_problems(late, KLASS, None, Rules(data_complete_days_before_report=7))

    assert problems == []


def test_a_class_unknown_to_the_read_model_closes_the_gate() -> None:
    assert [p.code for p in gate_problems(READY, None, None, RULES)] == ["class-unknown"]


def test_the_ito_number_has_country_agency_serial_and_report_month() -> None:
    assert ito_number("GTM", "D", 123, date(2027, 1, 29)) == "GTM-D-000123-2701"


def test_equal_content_has_an_equal_digest_and_any_change_changes_it() -> None:
    content = {"student": {"family_names": "LÓPEZ"}, "class": {"report_date": "2027-01-29"}}

    same = content_digest(
        {"class": {"report_date": "2027-01-29"}, "student": {"family_names": "LÓPEZ"}}
    )
    moved = content_digest({**content, "class": {"report_date": "2027-02-05"}})

    assert content_digest(content) == same
    assert content_digest(content) != moved


def test_student_data_is_complete_with_every_field_and_both_screenings() -> None:
    person = Person(
        family_names="LÓPEZ", given_names="Juan", country="GTM", sex="M",
        date_of_birth=date(1988, 2, 3), place_of_birth="Cobán", service="army", rank="Mayor",
        pay_grade="O-4", unit_name="Brigada 1", position="S3", passport_number="G77711122",
    )  # fmt: skip

    assert is_data_complete(person, date(2026, 10, 1), date(2026, 10, 2))
    assert not is_data_complete(person, None, date(2026, 10, 2))
    assert not is_data_complete(
        replace(person, unit_name=None), date(2026, 10, 1), date(2026, 10, 2)
    )
