"""Request and response bodies of the vetting API (XCreate / XPublic / XPage)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.contracts.types import CountryCode
from shared.contracts.vetting.v1 import ReasonCode
from shared.http.pagination import Page
from vetting.entrypoints.http import examples

# Free text: no control characters except tab/newline (PostgreSQL refuses NUL; logs stay clean).
_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=_NO_CONTROL),
]
Line = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=ONE_LINE)
]
REASONS_BY_RESULT = (
    "approved: cleared; suspended: insufficient_information, under_review, unit_blocked; "
    "denied: derogatory_information, unit_blocked; cancelled: administrative"
)
CaseStatusName = Literal[
    "open", "pending_confirmation", "approved", "suspended", "denied", "cancelled"
]
DecisionStateName = Literal["effective", "pending_confirmation", "rejected", "superseded"]
UnitMatchName = Literal["registered", "by_name", "unregistered", "ambiguous"]


class DecisionCreate(BaseModel):
    result: Literal["approved", "suspended", "denied", "cancelled"]
    reason_code: ReasonCode = Field(description=REASONS_BY_RESULT)
    rationale: LongText = Field(description="Why; seen by vetters and auditors only.")

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.DECISION_CREATE]}
    )


class ConfirmationCreate(BaseModel):
    outcome: Literal["confirmed", "rejected"]
    rationale: LongText

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.CONFIRMATION_CREATE]}
    )


class ConfirmationPublic(BaseModel):
    outcome: Literal["confirmed", "rejected"]
    rationale: str
    confirmed_by: str
    confirmed_at: datetime


class DecisionPublic(BaseModel):
    decision_id: UUID
    case_id: UUID
    result: Literal["approved", "suspended", "denied", "cancelled", "reopened"]
    reason_code: str
    rationale: str
    decided_by: str
    decided_at: datetime
    automatic: bool
    state: DecisionStateName = Field(
        description="effective, pending_confirmation (two-person rule), rejected, or superseded"
    )
    requires_confirmation: bool
    valid_until: date | None
    reused_from_case_id: UUID | None
    registry_entry_id: UUID | None
    confirmation: ConfirmationPublic | None
    case_status: CaseStatusName

    model_config = ConfigDict(json_schema_extra={"examples": [examples.DECISION]})


class CaseStatusPublic(BaseModel):
    """What an SCO sees of a case of its country: status, reason code and dates."""

    case_id: UUID
    nomination_id: UUID
    country: CountryCode
    status: CaseStatusName
    reason_code: str | None
    opened_on: date
    due_on: date
    decided_at: datetime | None
    valid_until: date | None

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CASE_STATUS]})


class CasePublic(CaseStatusPublic):
    """A case as vetters and auditors see it (the person's details stay with nomination)."""

    candidate_id: UUID
    candidate_url: str = Field(
        description="Nomination API resource with the person's details (use your own token)"
    )
    unit_name: str
    class_id: UUID
    report_date: date
    opened_at: datetime
    overdue: bool
    flagged_possible_duplicate: bool
    possible_duplicate_of: UUID | None
    registry_entry_id: UUID | None
    reused_from_case_id: UUID | None
    unit_id: UUID | None = Field(None, description="The unit's registry identity, when linked")
    unit_match: UnitMatchName = Field(
        "unregistered",
        description="How the case is linked to its unit: registered (the candidate references "
        "it), by_name (the only unit of that name), or - a flag for the vetter - unregistered "
        "or ambiguous (free text only)",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CASE]})


class CaseDetailPublic(CasePublic):
    decisions: list[DecisionPublic] = Field(description="The append-only history, oldest first")
    pending_decision_id: UUID | None
    unit_blocked_by: UUID | None = Field(description="Active registry entry blocking the unit now")
    possible_duplicates: list[UUID] = Field(
        description="Cases of other candidates with the same person fingerprint"
    )

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CASE_DETAIL]})


class CasePage(Page[CasePublic]):
    pass


class CaseStatusPage(Page[CaseStatusPublic]):
    pass


class RegistryEntryCreate(BaseModel):
    country: CountryCode
    unit_id: UUID | None = Field(None, description="The unit's registry identity")
    unit_name: Line | None = Field(
        None, description="Without unit_id: the unit by name (and parent), registered if new"
    )
    parent_unit_id: UUID | None = None
    include_subunits: bool = Field(False, description="The entry also covers the unit's subunits")
    source_reference: Line = Field(description="Where the derogatory information comes from")
    summary: LongText | None = None

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.REGISTRY_CREATE]}
    )

    @model_validator(mode="after")
    def _names_a_unit(self) -> RegistryEntryCreate:
        if (self.unit_id is None) == (self.unit_name is None):
            raise ValueError("give the unit's unit_id or its unit_name (one of the two)")
        if self.unit_id is not None and self.parent_unit_id is not None:
            raise ValueError("parent_unit_id goes with unit_name, not with unit_id")
        return self


class RemediationCreate(BaseModel):
    remediation_notes: LongText
    remediation_reference: Line | None = None

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [examples.REMEDIATION_CREATE]}
    )


class RegistryEntryPublic(BaseModel):
    entry_id: UUID
    country: CountryCode
    unit_name: str
    source_reference: str
    summary: str | None
    active: bool
    added_by: str
    added_at: datetime
    remediated_at: datetime | None
    remediated_by: str | None
    remediation_notes: str | None
    remediation_reference: str | None
    unit_id: UUID | None = None
    include_subunits: bool = False

    model_config = ConfigDict(json_schema_extra={"examples": [examples.REGISTRY_ENTRY]})


class RegistryEntryPage(Page[RegistryEntryPublic]):
    pass


class CountryStatistics(BaseModel):
    country: CountryCode
    open: int
    pending_confirmation: int
    suspended: int
    overdue: int
    decisions_counted: int = Field(description="Human first decisions in the median")
    median_working_days_to_decision: float | None

    model_config = ConfigDict(json_schema_extra={"examples": [examples.COUNTRY_STATISTICS]})


class StatisticsPublic(BaseModel):
    as_of: date
    open: int
    pending_confirmation: int
    suspended: int
    overdue: int
    median_working_days_to_decision: float | None
    by_country: list[CountryStatistics]

    model_config = ConfigDict(json_schema_extra={"examples": [examples.STATISTICS]})
