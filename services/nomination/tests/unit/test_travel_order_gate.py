"""The one travel-order gate lists everything missing; recall reasons; number and digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from uuid import uuid4

import pytest

from nomination.domain.candidate import EnglishTestResult, Person
from nomination.domain.gate import GateFacts, english_exempt, gate_problems
from nomination.domain.reference import ClassFacts, CountryFacts, CourseFacts, EnglishRequirement
from nomination.domain.rules import Rules
from nomination.domain.states import Funding, Seat, State, Vetting
from nomination.domain.travel_order import (
    OrderStatus,
    RecallReason,
    content_digest,
    is_data_complete,
    ito_number,
    order_status,
    recall_reason,
)

TODAY = date(2026, 12, 2)
KLASS = ClassFacts(
    uuid4(), "D177014", 2027, date(2027, 2, 1), date(2027, 5, 1), date(2027, 1, 29), "open"
)
COURSE = CourseFacts(
    "D177014", "PME Preparation", "DLIELC", "JBSA-Lackland, TX", EnglishRequirement("ecl", 80),
    date(2024, 5, 1), True, eimet_certified_through=date(2029, 4, 30),
)  # fmt: skip
COUNTRY = CountryFacts("GTM", sanctioned=False, ecl_exempt_fiscal_years=frozenset())
READY = GateFacts(
    state=State.READY_FOR_TRAVEL, seat=Seat.CONFIRMED, vetting=Vetting.APPROVED,
    vetting_valid_until=date(2027, 9, 30), funding=Funding.OBLIGATED, funding_source="imet",
    fiscal_year=2027, medical_cleared_on=date(2026, 10, 1), security_screened_on=date(2026, 10, 2),
    data_complete_on=date(2026, 10, 2), klass=KLASS, course=COURSE, country=COUNTRY,
    english_tests=(EnglishTestResult("ecl", 85, TODAY - timedelta(days=20)),),
)  # fmt: skip
RULES = Rules()


def missing(facts: GateFacts, rules: Rules | None = RULES, on: date = TODAY) -> list[str]:
    return [p.code for p in gate_problems(facts, rules, on=on)]


def test_a_fully_screened_nomination_passes_the_gate() -> None:
    assert missing(READY) == []


def test_an_unscreened_nomination_is_told_everything_that_is_missing() -> None:
    submitted = replace(
        READY, state=State.VETTING, seat=Seat.HELD, vetting=Vetting.PENDING,
        vetting_valid_until=None, funding=Funding.NONE, medical_cleared_on=None,
        security_screened_on=None, data_complete_on=None, english_tests=(),
    )  # fmt: skip

    assert missing(submitted) == [
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

    assert missing(late, Rules(data_complete_days_before_report=7)) == []


def test_a_class_unknown_to_the_read_model_closes_the_gate() -> None:
    assert missing(replace(READY, klass=None)) == ["class-unknown"]


def test_english_is_judged_on_the_day_given_for_it() -> None:
    tested = (EnglishTestResult("ecl", 85, date(2026, 8, 1)),)
    aged = replace(READY, english_tests=tested)
    issued_on = date(2026, 10, 1)

    later = [p.code for p in gate_problems(aged, RULES, on=TODAY, english_on=issued_on)]
    today = [p.code for p in gate_problems(aged, RULES, on=TODAY)]

    assert later == []
    assert today == ["ecl-missing"]


def test_without_rules_only_the_facts_no_setting_shapes_are_judged() -> None:
    unscreened = replace(READY, english_tests=(), data_complete_on=None)

    assert missing(unscreened, rules=None) == []
    assert missing(replace(unscreened, seat=Seat.RELEASED), rules=None) == ["seat-not-confirmed"]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2029, 4, 30), []),
        (date(2029, 5, 1), ["eimet-certification-lapsed"]),
    ],
)
def test_an_eimet_line_passes_through_the_certifications_last_day_only(
    on: date, expected: list[str]
) -> None:
    eimet = replace(READY, funding_source="eimet")

    assert missing(eimet, rules=None, on=on) == expected


def test_an_imet_line_does_not_need_an_eimet_certification() -> None:
    uncertified = replace(COURSE, eimet_certified_on=None, eimet_certified_through=None)

    assert missing(replace(READY, course=uncertified)) == []


def test_an_exempt_country_passes_without_a_test_and_is_tested_on_arrival() -> None:
    exempt = replace(
        READY,
        english_tests=(),
        country=replace(COUNTRY, ecl_exempt_fiscal_years=frozenset({2027})),
    )

    assert missing(exempt) == []
    assert english_exempt(exempt)
    assert not english_exempt(READY)


@pytest.mark.parametrize(
    ("state", "vetting", "status_reason", "codes", "reason"),
    [
        (State.WITHDRAWN, Vetting.APPROVED, "injured", [], RecallReason.WITHDRAWN),
        (State.CANCELLED, Vetting.APPROVED, "sanctions", [], RecallReason.CANCELLED),
        (State.VETTING_DENIED, Vetting.DENIED, None, [], RecallReason.VETTING_DENIED),
        (State.VETTING_SUSPENDED, Vetting.SUSPENDED, "unit_listed", [], RecallReason.UNIT_LISTED),
        (State.VETTING_SUSPENDED, Vetting.SUSPENDED, "under_review", [],
         RecallReason.VETTING_SUSPENDED),
        (State.VETTING, Vetting.PENDING, "approval_lapsed", [], RecallReason.APPROVAL_LAPSED),
        (State.VETTING, Vetting.PENDING, "candidate_changed", [], RecallReason.CANDIDATE_CHANGED),
        (State.READY_FOR_TRAVEL, Vetting.APPROVED, None, ["seat-not-confirmed"],
         RecallReason.SEAT_RELEASED),
        (State.FUNDING_REJECTED, Vetting.APPROVED, None,
         ["not-ready-for-travel", "funds-not-obligated"], RecallReason.DEOBLIGATED),
        (State.READY_FOR_TRAVEL, Vetting.APPROVED, None, ["eimet-certification-lapsed"],
         RecallReason.EIMET_CERTIFICATION_LAPSED),
        (State.READY_FOR_TRAVEL, Vetting.APPROVED, None, ["ecl-below-minimum"],
         RecallReason.SCREENING_INCOMPLETE),
    ],
)  # fmt: skip
def test_a_recall_names_the_most_decisive_fact(
    state: State,
    vetting: Vetting,
    status_reason: str | None,
    codes: list[str],
    reason: RecallReason,
) -> None:
    assert recall_reason(state, vetting, status_reason, codes) is reason


def test_an_order_is_current_until_superseded_or_recalled() -> None:
    now = TODAY

    assert order_status(None, None) is OrderStatus.CURRENT
    assert order_status(now, None) is OrderStatus.SUPERSEDED
    assert order_status(None, now) is OrderStatus.RECALLED


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
