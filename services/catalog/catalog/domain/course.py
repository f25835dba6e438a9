"""Schoolhouses and courses: the facts nominations, vetting and funding rely on.

Invariants of a course: a well-formed MASL number; a positive duration; a class-size range
with 1 <= min <= max; at most one English requirement whose minimum fits its test's scale
(ECL 0-100, TOEFL iBT 0-120); tuition per fiscal year never negative, in USD cents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from catalog.domain.errors import InvalidCourse
from catalog.domain.masl import Agency, agency_of, validate_masl


class CourseCategory(StrEnum):
    PME = "pme"
    TECHNICAL = "technical"
    ENGLISH_LANGUAGE = "english_language"
    OTHER = "other"


class EnglishTest(StrEnum):
    ECL = "ecl"
    TOEFL_IBT = "toefl_ibt"


MAX_SCORE: dict[EnglishTest, int] = {EnglishTest.ECL: 100, EnglishTest.TOEFL_IBT: 120}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class EnglishRequirement:
    """The English test a student must pass and its minimum score."""

    test: EnglishTest
    min_score: int

    def __post_init__(self) -> None:
        top = MAX_SCORE[self.test]
        if not 0 <= self.min_score <= top:
            raise InvalidCourse(f"A minimum {self.test.value} score lies between 0 and {top}.")

    def met_by(self, test: EnglishTest, score: int) -> bool:
        return test is self.test and score >= self.min_score


@dataclass
class Institution:
    """A schoolhouse: where courses are taught, and what lodging and meals it offers."""

    id: UUID
    name: str
    location: str
    implementing_agency: Agency
    government_quarters: bool
    government_mess: bool
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class Course:
    masl_id: str
    title: str
    institution_id: UUID
    category: CourseCategory
    duration_weeks: Decimal
    english_requirement: EnglishRequirement | None
    eimet_certified_on: date | None
    dedicated_international: bool
    min_class_size: int
    max_class_size: int
    tuition: dict[int, Decimal] = field(default_factory=dict)
    description: str = ""
    active: bool = True
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def implementing_agency(self) -> Agency:
        return agency_of(self.masl_id)

    def validate(self) -> None:
        """InvalidCourse/InvalidMaslNumber unless every invariant of a course holds."""
        validate_masl(self.masl_id)
        if not self.title.strip():
            raise InvalidCourse("A course needs a title.")
        if self.duration_weeks <= 0:
            raise InvalidCourse("A course lasts a positive number of weeks.")
        if self.min_class_size < 1 or self.max_class_size < self.min_class_size:
            raise InvalidCourse(
                "Class sizes need 1 <= min_class_size <= max_class_size "
                f"(got {self.min_class_size} and {self.max_class_size})."
            )
        for fiscal_year, amount in self.tuition.items():
            if amount < 0 or amount != amount.quantize(CENT):
                raise InvalidCourse(
                    f"Tuition for FY{fiscal_year} must be a non-negative USD amount with cents."
                )

    def set_tuition(self, rates: dict[int, Decimal]) -> None:
        """Set (or replace) the IMET rate of the given fiscal years; other years stay."""
        self.tuition = {**self.tuition, **rates}


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class EimetStatus:
    certified_on: date | None
    recertification_due_on: date | None
    recertification_due: bool
    lapsed: bool

    @property
    def current(self) -> bool:
        return self.certified_on is not None and not self.lapsed


@dataclass(frozen=True)
class EimetPolicy:
    """An E-IMET certification holds for `validity_years`: through the day before its
    anniversary (`certified_through`), lapsed from the anniversary on. It is flagged as due for
    renewal `warning_days` before it lapses. Other services never recompute this: the catalog
    publishes `eimet_certified_through` and they compare dates with it."""

    validity_years: int
    warning_days: int

    def certified_through(self, certified_on: date | None) -> date | None:
        """The last day a certification given on `certified_on` holds."""
        if certified_on is None:
            return None
        return add_years(certified_on, self.validity_years) - timedelta(days=1)

    def status(self, certified_on: date | None, today: date) -> EimetStatus:
        through = self.certified_through(certified_on)
        if through is None:
            return EimetStatus(None, None, recertification_due=False, lapsed=False)
        due_on = through + timedelta(days=1)
        lapsed = today > through
        due = not lapsed and (due_on - today).days <= self.warning_days
        return EimetStatus(certified_on, due_on, recertification_due=due, lapsed=lapsed)
