"""Validation at the door: the rules a nomination must pass to enter the pipeline.

Every rule is checked and every failure reported (an SCO fixes them all in one go), each as a
`Problem` with a stable code. Drafts may be incomplete; these rules run when SUBMITTING (and the
English rule again at the travel-order gate, where the score must still be valid).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from nomination.domain.candidate import EnglishTestResult, Person, missing_fields
from nomination.domain.reference import (
    SUBMITTABLE_CLASS_STATUSES,
    ClassFacts,
    CountryFacts,
    CourseFacts,
    FundingSource,
)
from nomination.domain.rules import Rules


@dataclass(frozen=True)
class Problem:
    code: str
    field: str | None
    message: str


@dataclass(frozen=True)
class Submission:
    country: str
    class_id: UUID
    masl_id: str | None
    fiscal_year: int
    funding_source: FundingSource


def english_problem(
    tests: tuple[EnglishTestResult, ...],
    course: CourseFacts,
    country: CountryFacts | None,
    fiscal_year: int,
    rules: Rules,
    today: date,
) -> Problem | None:
    """The course's English requirement is met by a test valid today, or the country is exempt.

    ECL: score >= the course minimum, taken at most `ecl_validity_days` ago; students of a country
    exempt for the fiscal year are tested on arrival. TOEFL iBT (some schools require it instead):
    score >= the minimum within `toefl_validity_days`; no exemption applies.
    """
    requirement = course.english
    if requirement is None:
        return None
    if requirement.test == "ecl" and country is not None and country.ecl_exempt(fiscal_year):
        return None
    validity = rules.ecl_validity_days if requirement.test == "ecl" else rules.toefl_validity_days
    oldest = today - timedelta(days=validity)
    label = "ECL" if requirement.test == "ecl" else "TOEFL iBT"
    valid = [t for t in tests if t.test == requirement.test and oldest <= t.taken_on <= today]
    if not valid:
        return Problem(
            f"{requirement.test}-missing",
            "candidate.english_tests",
            f"no {label} result taken in the last {validity} days",
        )
    if max(t.score for t in valid) < requirement.min_score:
        return Problem(
            f"{requirement.test}-below-minimum",
            "candidate.english_tests",
            f"the best valid {label} score is below the course minimum of {requirement.min_score}",
        )
    return None


def eimet_problem(funding_source: FundingSource, course: CourseFacts, on: date) -> Problem | None:
    """E-IMET money only for a course whose E-IMET certification holds on `on`.

    The catalog decides when a certification lapses and publishes its last day
    (`eimet_certified_through`); this compares dates with it and never recomputes it, so the
    catalog and the pipeline agree on every day, the anniversary included.
    """
    if funding_source != "eimet":
        return None
    if course.eimet_certified_on is None or course.eimet_certified_through is None:
        return Problem(
            "course-not-eimet-certified", "funding_source", "the course is not E-IMET certified"
        )
    if on > course.eimet_certified_through:
        return Problem(
            "eimet-certification-lapsed",
            "funding_source",
            f"the E-IMET certification lapsed after {course.eimet_certified_through.isoformat()}",
        )
    return None


# The first quarter of a fiscal year: October, November, December (the "fifth quarter" of the
# fiscal year before it).
FIFTH_QUARTER_MONTHS = frozenset({10, 11, 12})


def funding_fiscal_years(klass: ClassFacts) -> tuple[int, ...]:
    """The fiscal years whose IMET funds may pay for a class (ADR 0061, SAMM chapter 10).

    Training is funded from the fiscal year in which it starts; a class that starts in the first
    quarter of its fiscal year (October to December, after the 30 September end of the year
    before) may instead be funded with the previous year's funds - obligated while those are
    still available. A class starting after 31 December belongs to its own year only.
    """
    if klass.start_date.month in FIFTH_QUARTER_MONTHS:
        return (klass.fiscal_year - 1, klass.fiscal_year)
    return (klass.fiscal_year,)


def class_problems(submission: Submission, klass: ClassFacts | None, today: date) -> list[Problem]:
    """The class exists, takes nominations, has not started, and matches the nomination."""
    if klass is None:
        return [Problem("class-unknown", "class_id", "no such class in the catalog")]
    problems = []
    if klass.status not in SUBMITTABLE_CLASS_STATUSES:
        problems.append(Problem("class-not-open", "class_id", f"the class is {klass.status}"))
    if klass.report_date < today:
        problems.append(Problem("class-started", "class_id", "the class's report date has passed"))
    years = funding_fiscal_years(klass)
    if submission.fiscal_year not in years:
        allowed = " or ".join(f"FY{y}" for y in years)
        problems.append(
            Problem("fiscal-year-mismatch", "fiscal_year", f"the class is funded from {allowed}")
        )
    if submission.masl_id is not None and submission.masl_id != klass.masl_id:
        problems.append(
            Problem("course-mismatch", "masl_id", "the class belongs to another course")
        )
    return problems


def country_problems(country: CountryFacts | None) -> list[Problem]:
    """The country is in the reference data and not under sanctions."""
    if country is None:
        return [
            Problem("country-not-registered", "country", "the country is not in the reference data")
        ]
    if country.sanctioned:
        return [Problem("country-sanctioned", "country", "the country is under sanctions")]
    return []


def submission_problems(
    *,
    submission: Submission,
    person: Person,
    klass: ClassFacts | None,
    course: CourseFacts | None,
    country: CountryFacts | None,
    duplicate: bool,
    rules: Rules,
    today: date,
) -> list[Problem]:
    """Every rule a nomination fails at submission (empty: it may enter the pipeline)."""
    problems = [
        Problem("candidate-incomplete", f"candidate.{name}", "required to submit")
        for name in missing_fields(person)
    ]
    problems += country_problems(country)
    problems += class_problems(submission, klass, today)
    if klass is not None and course is None:
        problems.append(
            Problem("course-unknown", "masl_id", "the class's course is not in the catalog yet")
        )
    if course is not None:
        if not course.active:
            problems.append(
                Problem("course-inactive", "masl_id", "the course is no longer offered")
            )
        fy = submission.fiscal_year
        for found in (
            english_problem(person.english_tests, course, country, fy, rules, today),
            eimet_problem(submission.funding_source, course, today),
        ):
            if found is not None:
                problems.append(found)
    if duplicate:
        problems.append(
            Problem(
                "duplicate-nomination",
                "candidate_id",
                "the person already has an active nomination for this class",
            )
        )
    return problems
