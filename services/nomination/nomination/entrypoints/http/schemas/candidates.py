"""Candidate schemas. Personal fields are null (`redacted` true) for roles that may not see them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nomination.entrypoints.http.schemas.common import (
    EnglishTestResult,
    NoNulls,
    PassportNumber,
    PayGrade,
    Service,
    Sex,
    Strict,
    Text100,
    Text200,
)
from shared.contracts.types import CountryCode
from shared.http.pagination import Page

_EXAMPLE: dict[str, Any] = {
    "family_names": "PÉREZ GARCÍA",
    "given_names": "María José",
    "country": "GTM",
    "sex": "F",
    "date_of_birth": "1990-04-12",
    "place_of_birth": "Quetzaltenango",
    "service": "army",
    "rank": "Capitán",
    "pay_grade": "O-3",
    "unit_name": "Brigada de Infantería 1",
    "position": "Company commander",
    "passport_number": "G12345678",
    "english_tests": [{"test": "ecl", "score": 82, "taken_on": "2026-09-01"}],
}


def _past(value: date | None) -> date | None:
    if value is not None and value >= date.today():
        raise ValueError("a date of birth is in the past")
    return value


class CandidateCreate(Strict):
    """A candidate: names exactly as on the passport. Drafts may be incomplete."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    family_names: Text100
    given_names: Text100
    country: CountryCode
    sex: Sex | None = None
    date_of_birth: date | None = None
    place_of_birth: Text100 | None = None
    service: Service | None = None
    rank: Text100 | None = None
    pay_grade: PayGrade | None = None
    unit_name: Text200 | None = None
    unit_id: UUID | None = Field(
        None,
        description="The unit's registry identity (`/api/v1/vetting/units`); its name becomes "
        "`unit_name`. Free text alone is matched by name for vetting, with a flag",
    )
    position: Text200 | None = None
    passport_number: PassportNumber | None = None
    english_tests: list[EnglishTestResult] = Field(default_factory=list, max_length=20)

    _dob = field_validator("date_of_birth")(_past)


class CandidateUpdate(NoNulls):
    """Corrections; left-out fields stay. `english_tests` replaces the list. Country is fixed."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rank": "Mayor", "pay_grade": "O-4"}]}
    )

    family_names: Text100 | None = None
    given_names: Text100 | None = None
    sex: Sex | None = None
    date_of_birth: date | None = None
    place_of_birth: Text100 | None = None
    service: Service | None = None
    rank: Text100 | None = None
    pay_grade: PayGrade | None = None
    unit_name: Text200 | None = None
    unit_id: UUID | None = Field(
        None,
        description="The unit's registry identity (`/api/v1/vetting/units`); its name becomes "
        "`unit_name`. Free text alone is matched by name for vetting, with a flag",
    )
    position: Text200 | None = None
    passport_number: PassportNumber | None = None
    english_tests: list[EnglishTestResult] | None = Field(None, max_length=20)

    _dob = field_validator("date_of_birth")(_past)


class CandidatePublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_EXAMPLE, "id": "7d0e8a52-1111-4a57-9d43-0c6f1f0b8a11"}]}
    )

    id: UUID
    country: str
    family_names: str
    given_names: str
    sex: str | None
    date_of_birth: date | None = Field(description="Null when redacted")
    place_of_birth: str | None = Field(description="Null when redacted")
    service: str | None
    rank: str | None
    pay_grade: str | None
    unit_name: str | None
    unit_id: UUID | None = None
    position: str | None
    passport_number: str | None = Field(description="Null when redacted")
    english_tests: list[EnglishTestResult]
    complete: bool = Field(description="Every field a submission needs is present")
    missing_fields: list[str]
    redacted: bool = Field(description="Personal fields withheld for the caller's role")
    version: int
    created_at: datetime
    updated_at: datetime


class CandidatePage(Page[CandidatePublic]):
    pass
