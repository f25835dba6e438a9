"""The travel-order gate: ONE function decides whether screening is complete.

The DoD Inspector General found travel orders issued before vetting finished. Here every step
that spends or commits asks the same question, `gate_problems`, and gets EVERY item that still
stands in the way: issuing an order, starting training (the student reports on an order), and
the review that keeps an issued order `current` only while all of it is still true (a fact that
breaks it recalls the order, see `travel_order.recall_reason`).

Dates: the gate is judged on a day (`on`). The English rule is the one exception: a score is
valid for N days from the test, and what matters is that it was valid when the order was
issued - an order is not undone because the test keeps ageing afterwards, so a standing order
is judged with `english_on` = the day it was issued. A change of the scores themselves (or of
the course's requirement) is judged like any other fact.

`rules=None` judges only the facts that no setting shapes (state, vetting, money, seat,
screening records, E-IMET): callers that change nothing a setting applies to (a withdrawal,
a cancellation) need not know the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from nomination.domain.candidate import EnglishTestResult
from nomination.domain.reference import ClassFacts, CountryFacts, CourseFacts, FundingSource
from nomination.domain.rules import Rules
from nomination.domain.states import Funding, Seat, State, Vetting
from nomination.domain.submission import Problem, eimet_problem, english_problem

# The states an order may be used in: ready to travel, or travelling/training on it.
ORDER_STATES = frozenset({State.READY_FOR_TRAVEL, State.IN_TRAINING})


@dataclass(frozen=True)
class GateFacts:
    """Everything the gate looks at, as the nomination service knows it now."""

    state: State
    seat: Seat
    vetting: Vetting
    vetting_valid_until: date | None
    funding: Funding
    funding_source: FundingSource
    fiscal_year: int
    medical_cleared_on: date | None
    security_screened_on: date | None
    data_complete_on: date | None
    klass: ClassFacts | None
    course: CourseFacts | None
    country: CountryFacts | None
    english_tests: tuple[EnglishTestResult, ...] = ()


def gate_problems(
    facts: GateFacts, rules: Rules | None, *, on: date, english_on: date | None = None
) -> list[Problem]:
    """Everything that stands between the nomination and a valid travel order on day `on`."""
    f = facts
    if f.klass is None:
        return [Problem("class-unknown", "class_id", "the class is not in the catalog read model")]
    if f.course is None:
        return [Problem("course-unknown", "masl_id", "the course is not in the catalog")]
    missing: list[Problem] = []
    if f.state not in ORDER_STATES:
        missing.append(Problem("not-ready-for-travel", "status", f"the nomination is {f.state}"))
    missing += _vetting(f)
    if rules is not None:
        english = english_problem(
            f.english_tests, f.course, f.country, f.fiscal_year, rules, english_on or on
        )
        if english is not None:
            missing.append(english)
    eimet = eimet_problem(f.funding_source, f.course, on)
    if eimet is not None:
        missing.append(eimet)
    if f.medical_cleared_on is None:
        missing.append(
            Problem("medical-clearance-missing", "medical_clearance", "no medical clearance")
        )
    if f.security_screened_on is None:
        missing.append(
            Problem("security-screening-missing", "security_screening", "no security screening")
        )
    if f.funding is not Funding.OBLIGATED:
        missing.append(Problem("funds-not-obligated", "funding_status", f"funding is {f.funding}"))
    if f.seat is not Seat.CONFIRMED:
        missing.append(Problem("seat-not-confirmed", "seat_status", f"the seat is {f.seat}"))
    if rules is not None:
        missing += _data_deadline(f, f.klass, rules)
    return missing


def _vetting(f: GateFacts) -> list[Problem]:
    assert f.klass is not None
    if f.vetting is not Vetting.APPROVED:
        return [Problem("vetting-not-approved", "vetting_status", f"vetting is {f.vetting}")]
    if f.vetting_valid_until is None or f.vetting_valid_until < f.klass.report_date:
        return [
            Problem(
                "vetting-lapses",
                "vetting_valid_until",
                "the vetting approval lapses before the report date",
            )
        ]
    return []


def _data_deadline(f: GateFacts, klass: ClassFacts, rules: Rules) -> list[Problem]:
    deadline = klass.report_date - timedelta(days=rules.data_complete_days_before_report)
    if f.data_complete_on is not None and f.data_complete_on <= deadline:
        return []
    return [
        Problem(
            "data-incomplete",
            "data_complete_on",
            f"student data must be complete by {deadline.isoformat()} "
            f"({rules.data_complete_days_before_report} days before the report date)",
        )
    ]


def english_exempt(facts: GateFacts) -> bool:
    """The student is tested on arrival: the course asks for ECL and the country is exempt."""
    course, country = facts.course, facts.country
    return (
        course is not None
        and course.english is not None
        and course.english.test == "ecl"
        and country is not None
        and country.ecl_exempt(facts.fiscal_year)
    )
