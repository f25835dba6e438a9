"""Bulk import schemas: one flat row per nomination (CSV columns = JSON keys)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from nomination.entrypoints.http.schemas.common import (
    EnglishTest,
    EnglishTestResult,
    FundingSource,
    PassportNumber,
    PayGrade,
    Service,
    Sex,
    Strict,
    Text100,
    Text200,
)
from nomination.service_layer.imports import ImportLine
from shared.contracts.types import CountryCode, FiscalYear

_ROW_EXAMPLE: dict[str, Any] = {
    "family_names": "LÓPEZ",
    "given_names": "Juan Carlos",
    "sex": "M",
    "date_of_birth": "1988-02-03",
    "place_of_birth": "Cobán",
    "country": "GTM",
    "service": "army",
    "rank": "Mayor",
    "pay_grade": "O-4",
    "unit_name": "Brigada de Infantería 1",
    "position": "Operations officer",
    "passport_number": "G77711122",
    "english_test": "ecl",
    "english_score": 84,
    "english_test_date": "2026-09-15",
    "class_id": "0b5e3c1e-2222-4d0b-8f53-5b7b7d1c9a22",
    "fiscal_year": 2027,
    "funding_source": "imet",
    "with_dependents": False,
    "medical_cleared_on": "2026-09-20",
    "medical_reference": "MED-117",
    "security_screened_on": "2026-09-22",
    "security_reference": "SEC-117",
}


class ImportRow(Strict):
    """One line: the candidate (natural key: country + passport number) and the nomination."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ROW_EXAMPLE]})

    family_names: Text100
    given_names: Text100
    country: CountryCode
    passport_number: PassportNumber
    sex: Sex | None = None
    date_of_birth: date | None = None
    place_of_birth: Text100 | None = None
    service: Service | None = None
    rank: Text100 | None = None
    pay_grade: PayGrade | None = None
    unit_name: Text200 | None = None
    position: Text200 | None = None
    english_test: EnglishTest | None = None
    english_score: int | None = Field(None, ge=0, le=120)
    english_test_date: date | None = None
    class_id: UUID
    fiscal_year: FiscalYear
    funding_source: FundingSource
    with_dependents: bool = False
    medical_cleared_on: date | None = None
    medical_reference: Text100 | None = None
    security_screened_on: date | None = None
    security_reference: Text100 | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        if value is not None and value >= date.today():
            raise ValueError("a date of birth is in the past")
        return value

    @model_validator(mode="after")
    def _english_test_valid(self) -> ImportRow:
        """The test result's own rules (ECL 0-100, not taken in the future) are row errors, not
        an exception when the line is turned into a candidate."""
        try:
            self.english_tests()
        except ValidationError as exc:
            messages = (str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
            raise ValueError(f"english test: {'; '.join(messages)}") from None
        return self

    def english_tests(self) -> list[dict[str, Any]]:
        if (
            self.english_test is None
            or self.english_score is None
            or self.english_test_date is None
        ):
            return []
        result = EnglishTestResult(
            test=self.english_test, score=self.english_score, taken_on=self.english_test_date
        )
        return [result.model_dump(mode="json")]


COLUMNS = tuple(ImportRow.model_fields)
JSON_EXAMPLE: dict[str, Any] = {"rows": [_ROW_EXAMPLE]}
CSV_EXAMPLE = (
    ",".join(COLUMNS)
    + "\n"
    + ",".join(
        str(_ROW_EXAMPLE[c]).lower() if isinstance(_ROW_EXAMPLE[c], bool) else str(_ROW_EXAMPLE[c])
        for c in COLUMNS
    )
    + "\n"
)
CANDIDATE_COLUMNS = (
    "family_names", "given_names", "country", "passport_number", "sex", "date_of_birth",
    "place_of_birth", "service", "rank", "pay_grade", "unit_name", "position",
)  # fmt: skip


def _screening(on: date | None, reference: str | None, prefix: str) -> dict[str, Any]:
    if on is None or reference is None:
        return {}
    return {f"{prefix}_on": on, f"{prefix.split('_')[0]}_reference": reference}


def to_line(number: int, raw: Any) -> ImportLine:
    """Validate one raw row (CSV: empty cells are absent); errors never echo the values."""
    if not isinstance(raw, dict):
        return ImportLine(
            number,
            errors=[{"code": "not-an-object", "field": None, "message": "a row is an object"}],
        )
    cleaned = {k: v for k, v in raw.items() if v not in ("", None)}
    try:
        row = ImportRow.model_validate(cleaned)
    except ValidationError as exc:
        errors = [
            {
                "code": e["type"],
                "field": ".".join(str(p) for p in e["loc"]) or None,
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        return ImportLine(number, errors=errors)
    candidate = {k: getattr(row, k) for k in CANDIDATE_COLUMNS}
    candidate["english_tests"] = row.english_tests()
    nomination = {
        "class_id": row.class_id,
        "fiscal_year": row.fiscal_year,
        "funding_source": row.funding_source,
        "with_dependents": row.with_dependents,
        **_screening(row.medical_cleared_on, row.medical_reference, "medical_cleared"),
        **_screening(row.security_screened_on, row.security_reference, "security_screened"),
    }
    return ImportLine(number, candidate=candidate, nomination=nomination)


class ImportRequest(BaseModel):
    """JSON form of an import: `rows` with the same keys as the CSV columns."""

    model_config = ConfigDict(json_schema_extra={"examples": [JSON_EXAMPLE]})

    rows: list[ImportRow]


class ImportLinePublic(BaseModel):
    line: int = Field(description="1-based row number (CSV: the header is line 0)")
    status: str = Field(description="created, existing or rejected")
    candidate_id: UUID | None
    nomination_id: UUID | None
    nomination_status: str | None
    errors: list[dict[str, Any]]


class ImportProgress(BaseModel):
    total: int = Field(description="Rows uploaded")
    done: int = Field(description="Rows with a result so far")
    created: int
    existing: int
    rejected: int


_JOB_ID = "5b1c7e0a-3f2d-4c89-9a61-0d2e4b7f9c13"
_JOB_EXAMPLE: dict[str, Any] = {
    "id": _JOB_ID,
    "import_id": _JOB_ID,
    "status": "completed",
    "submit": True,
    "rows": {"total": 2, "done": 2, "created": 1, "existing": 0, "rejected": 1},
    "created": 1,
    "existing": 0,
    "rejected": 1,
    "lines": [
        {
            "line": 1,
            "status": "created",
            "candidate_id": "0f6c2d7e-8b1a-4e53-9c0d-6a2f1e3b4c5d",
            "nomination_id": "9d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a",
            "nomination_status": "submitted",
            "errors": [],
        },
        {
            "line": 2,
            "status": "rejected",
            "candidate_id": None,
            "nomination_id": None,
            "nomination_status": None,
            "errors": [
                {
                    "code": "class-unknown",
                    "field": "class_id",
                    "message": "no such class in the catalog",
                }
            ],
        },
    ],
    "error": None,
    "created_at": "2026-12-04T09:15:02Z",
    "started_at": "2026-12-04T09:15:02Z",
    "finished_at": "2026-12-04T09:15:04Z",
}


class ImportJobPublic(BaseModel):
    """A bulk import job: its progress while it runs, one result per row once done. The
    summary fields (`import_id`, `created`, `existing`, `rejected`, `lines`) are those of the
    synchronous answer this resource replaced (ADR 0128)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_JOB_EXAMPLE]})

    id: UUID
    import_id: UUID = Field(description="= id")
    status: Literal["queued", "running", "completed", "failed"]
    submit: bool
    rows: ImportProgress
    created: int
    existing: int
    rejected: int
    lines: list[ImportLinePublic] = Field(
        description="One result per row, by line, once the job finished (empty before)"
    )
    error: str | None = None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
