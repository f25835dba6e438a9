"""Course bodies."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from catalog.domain.course import (
    Course,
    CourseCategory,
    EimetStatus,
    EnglishRequirement,
    EnglishTest,
    Institution,
)
from catalog.domain.masl import Agency
from catalog.entrypoints.clock import utc_today
from catalog.entrypoints.http.schemas.common import (
    NO_NUL,
    CalendarDate,
    MaslNumber,
    PatchBody,
    RequestBody,
)
from shared.contracts.types import FiscalYear, Money
from shared.http.pagination import Page

Title = Annotated[str, Field(min_length=1, max_length=300, pattern=NO_NUL)]
Weeks = Annotated[
    Decimal,
    Field(gt=0, le=520, max_digits=5, decimal_places=1, description="Course length in weeks"),
]
ClassSize = Annotated[int, Field(ge=1, le=1000)]
Description = Annotated[str, Field(max_length=4000, pattern=NO_NUL)]


class EnglishRequirementBody(RequestBody):
    test: EnglishTest = Field(
        description="`ecl` (English Comprehension Level, 0-100) or `toefl_ibt` (0-120)"
    )
    min_score: int = Field(ge=0, le=120)

    def to_domain(self) -> EnglishRequirement:
        return EnglishRequirement(self.test, self.min_score)


class TuitionRate(RequestBody):
    fiscal_year: FiscalYear
    amount: Money = Field(ge=0, description="IMET tuition rate for the fiscal year, USD")


def _certified_in_the_past(day: date | None) -> date | None:
    if day is not None and day > utc_today():
        raise ValueError("an E-IMET certification date cannot be in the future")
    return day


def _one_rate_per_year(rates: list[TuitionRate] | None) -> list[TuitionRate] | None:
    if rates is not None and len({r.fiscal_year for r in rates}) != len(rates):
        raise ValueError("one tuition rate per fiscal year")
    return rates


_EXAMPLE: dict[str, Any] = {
    "masl_id": "D177014",
    "title": "DLIELC PME Preparation",
    "institution_id": "5b0f1e9e-7a43-4f55-9d0b-0c6a3c7f2a11",
    "category": "english_language",
    "duration_weeks": "9.0",
    "english_requirement": {"test": "ecl", "min_score": 70},
    "eimet_certified_on": None,
    "dedicated_international": True,
    "min_class_size": 4,
    "max_class_size": 24,
    "tuition": [
        {"fiscal_year": 2027, "amount": "14250.00"},
        {"fiscal_year": 2028, "amount": "14680.00"},
    ],
    "description": "Illustrative demo data.",
}


class CourseCreate(RequestBody):
    masl_id: MaslNumber
    title: Title
    institution_id: UUID
    category: CourseCategory
    duration_weeks: Weeks
    english_requirement: EnglishRequirementBody | None = None
    eimet_certified_on: CalendarDate | None = Field(
        None, description="Date of the E-IMET certification, if certified"
    )
    dedicated_international: bool = Field(
        description="Only international students attend (100% cancellation penalty)"
    )
    min_class_size: ClassSize
    max_class_size: ClassSize
    tuition: list[TuitionRate] = Field(default_factory=list, max_length=20)
    description: Description = ""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})
    _rates = field_validator("tuition")(_one_rate_per_year)
    _certified = field_validator("eimet_certified_on")(_certified_in_the_past)

    def to_domain(self) -> Course:
        return Course(
            masl_id=self.masl_id,
            title=self.title,
            institution_id=self.institution_id,
            category=self.category,
            duration_weeks=self.duration_weeks,
            english_requirement=self.english_requirement.to_domain()
            if self.english_requirement
            else None,
            eimet_certified_on=self.eimet_certified_on,
            dedicated_international=self.dedicated_international,
            min_class_size=self.min_class_size,
            max_class_size=self.max_class_size,
            tuition={r.fiscal_year: r.amount for r in self.tuition},
            description=self.description,
        )


class CourseUpdate(PatchBody):
    title: Title | None = None
    institution_id: UUID | None = None
    category: CourseCategory | None = None
    duration_weeks: Weeks | None = None
    english_requirement: EnglishRequirementBody | None = None
    eimet_certified_on: CalendarDate | None = None
    dedicated_international: bool | None = None
    min_class_size: ClassSize | None = None
    max_class_size: ClassSize | None = None
    tuition: list[TuitionRate] | None = Field(
        None, max_length=20, description="Rates to set; other years stay"
    )
    description: Description | None = None
    active: bool | None = None

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"english_requirement", "eimet_certified_on"})
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eimet_certified_on": "2026-10-15",
                    "tuition": [{"fiscal_year": 2028, "amount": "14900.00"}],
                }
            ]
        }
    )
    _rates = field_validator("tuition")(_one_rate_per_year)
    _certified = field_validator("eimet_certified_on")(_certified_in_the_past)

    def course_changes(self) -> dict[str, object]:
        changes = self.changes()
        changes.pop("tuition", None)
        if "english_requirement" in changes:
            changes["english_requirement"] = (
                self.english_requirement.to_domain() if self.english_requirement else None
            )
        return changes

    def tuition_rates(self) -> dict[int, Decimal]:
        return {r.fiscal_year: r.amount for r in self.tuition or []}


class InstitutionRef(BaseModel):
    id: UUID
    name: str
    location: str
    government_quarters: bool
    government_mess: bool


class EnglishRequirementPublic(BaseModel):
    test: EnglishTest
    min_score: int


class TuitionRatePublic(BaseModel):
    fiscal_year: int
    amount: Money


class CoursePublic(BaseModel):
    masl_id: str
    title: str
    implementing_agency: Agency = Field(description="From the MASL number's first letter")
    institution: InstitutionRef
    category: CourseCategory
    duration_weeks: Decimal
    english_requirement: EnglishRequirementPublic | None
    eimet_certified_on: date | None
    eimet_recertification_due_on: date | None
    eimet_recertification_due: bool = Field(description="Certified, and the renewal date is near")
    eimet_certification_lapsed: bool = Field(description="Certified once, but not renewed in time")
    dedicated_international: bool
    min_class_size: int
    max_class_size: int
    tuition: list[TuitionRatePublic]
    description: str
    active: bool
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **{k: v for k, v in _EXAMPLE.items() if k not in ("institution_id",)},
                    "implementing_agency": "air_force",
                    "institution": {
                        "id": "5b0f1e9e-7a43-4f55-9d0b-0c6a3c7f2a11",
                        "name": "Defense Language Institute English Language Center",
                        "location": "Joint Base San Antonio-Lackland, TX",
                        "government_quarters": True,
                        "government_mess": True,
                    },
                    "eimet_recertification_due_on": None,
                    "eimet_recertification_due": False,
                    "eimet_certification_lapsed": False,
                    "active": True,
                    "version": 1,
                    "created_at": "2026-11-28T09:00:00Z",
                    "updated_at": "2026-11-28T09:00:00Z",
                }
            ]
        }
    )

    @classmethod
    def of(cls, course: Course, institution: Institution, eimet: EimetStatus) -> CoursePublic:
        req = course.english_requirement
        return cls(
            masl_id=course.masl_id,
            title=course.title,
            implementing_agency=course.implementing_agency,
            institution=InstitutionRef(
                id=institution.id,
                name=institution.name,
                location=institution.location,
                government_quarters=institution.government_quarters,
                government_mess=institution.government_mess,
            ),
            category=course.category,
            duration_weeks=course.duration_weeks,
            english_requirement=EnglishRequirementPublic(test=req.test, min_score=req.min_score)
            if req
            else None,
            eimet_certified_on=course.eimet_certified_on,
            eimet_recertification_due_on=eimet.recertification_due_on,
            eimet_recertification_due=eimet.recertification_due,
            eimet_certification_lapsed=eimet.lapsed,
            dedicated_international=course.dedicated_international,
            min_class_size=course.min_class_size,
            max_class_size=course.max_class_size,
            tuition=[
                TuitionRatePublic(fiscal_year=fy, amount=a)
                for fy, a in sorted(course.tuition.items())
            ],
            description=course.description,
            active=course.active,
            version=course.version,
            created_at=course.created_at,
            updated_at=course.updated_at,
        )


class CoursePage(Page[CoursePublic]):
    pass
