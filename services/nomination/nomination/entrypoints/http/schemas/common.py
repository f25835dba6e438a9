"""Value types shared by the nomination API's schemas."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Sex = Literal["F", "M", "X"]
Service = Literal[
    "army", "navy", "air_force", "marines", "coast_guard", "gendarmerie", "police", "civilian",
    "other",
]  # fmt: skip
PayGrade = Annotated[
    str,
    StringConstraints(pattern=r"^(E-[1-9]|W-[1-5]|O-(10|[1-9])|CIV)$"),
    Field(description="U.S.-equivalent pay grade: E-1..E-9, W-1..W-5, O-1..O-10, or CIV"),
]
PassportNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z0-9]{5,20}$"),
    Field(description="As printed in the passport: 5-20 letters and digits"),
]
EnglishTest = Literal["ecl", "toefl_ibt"]
FundingSource = Literal["imet", "eimet"]


class Strict(BaseModel):
    """Unknown fields are refused (422): a misspelt or server-owned field is never ignored."""

    model_config = ConfigDict(extra="forbid")


class NoNulls(Strict):
    """A partial update: fields left out stay as they are; an explicit null is refused."""

    @model_validator(mode="after")
    def _no_explicit_nulls(self) -> Any:
        nulls = sorted(k for k in self.model_fields_set if getattr(self, k) is None)
        if nulls:
            raise ValueError(f"cannot be null: {', '.join(nulls)}")
        return self


class EnglishTestResult(Strict):
    test: EnglishTest
    score: int = Field(ge=0, le=120, description="ECL 0-100, TOEFL iBT 0-120")
    taken_on: date

    @model_validator(mode="after")
    def _in_range(self) -> EnglishTestResult:
        if self.test == "ecl" and self.score > 100:
            raise ValueError("an ECL score is 0-100")
        if self.taken_on > date.today():
            raise ValueError("taken_on is in the future")
        return self


class ScreeningRecord(Strict):
    """A screening step done outside the system: when, and the reference of its record."""

    recorded_on: date
    reference: Text100


class ProblemItem(BaseModel):
    code: str
    field: str | None
    message: str
