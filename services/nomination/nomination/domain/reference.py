"""What the nomination rules know of courses, classes and countries (read models and reference)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal
from uuid import UUID

EnglishTestType = Literal["ecl", "toefl_ibt"]
FundingSource = Literal["imet", "eimet"]
# A full class waitlists new nominations; it does not refuse them.
SUBMITTABLE_CLASS_STATUSES = frozenset({"open", "full"})


@dataclass(frozen=True)
class EnglishRequirement:
    test: EnglishTestType
    min_score: int


@dataclass(frozen=True)
class CourseFacts:
    masl_id: str
    title: str
    institution_name: str
    location: str
    english: EnglishRequirement | None
    eimet_certified_on: date | None
    active: bool
    eimet_certified_through: date | None = None

    @property
    def agency_letter(self) -> str:
        """The implementing agency: the MASL number's first letter (B Army, D Air Force, ...)."""
        return self.masl_id[0]


@dataclass(frozen=True)
class ClassFacts:
    class_id: UUID
    masl_id: str
    fiscal_year: int
    start_date: date
    end_date: date
    report_date: date
    status: str


@dataclass(frozen=True)
class CountryFacts:
    iso3: str
    sanctioned: bool
    ecl_exempt_fiscal_years: frozenset[int]

    def ecl_exempt(self, fiscal_year: int) -> bool:
        return fiscal_year in self.ecl_exempt_fiscal_years


@dataclass(frozen=True)
class Country:
    """A country's reference data as kept (admin-managed; every change is a new version)."""

    iso3: str
    name: str
    sanctioned: bool
    version: int
    updated_at: datetime
    updated_by: str
    sanctions_reason: str | None = None
    ecl_exempt_fiscal_years: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CountryRevision:
    iso3: str
    version: int
    name: str
    sanctioned: bool
    changed_at: datetime
    changed_by: str
    sanctions_reason: str | None = None
    ecl_exempt_fiscal_years: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Unit:
    """A military unit as vetting's registry announced it (`vetting.unit_registered`)."""

    unit_id: UUID
    country: str
    name: str
    updated_at: datetime | None = None
    parent_unit_id: UUID | None = None
