"""Nomination schemas: create/update a draft, the nomination as the pipeline sees it, history."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from nomination.entrypoints.http.schemas.common import (
    FundingSource,
    NoNulls,
    Reason,
    ScreeningRecord,
    Strict,
)
from shared.contracts.nomination.v1 import NominationState, WithdrawalReason
from shared.contracts.types import FiscalYear, MaslId
from shared.http.pagination import Page

_CREATE_EXAMPLE: dict[str, Any] = {
    "candidate_id": "7d0e8a52-1111-4a57-9d43-0c6f1f0b8a11",
    "class_id": "0b5e3c1e-2222-4d0b-8f53-5b7b7d1c9a22",
    "fiscal_year": 2027,
    "funding_source": "imet",
    "with_dependents": False,
    "medical_clearance": {"recorded_on": "2026-10-02", "reference": "MED-GTM-2026-0117"},
}


class NominationCreate(Strict):
    """A draft. `masl_id` is needed only for a class the catalog has not announced yet."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_CREATE_EXAMPLE]})

    candidate_id: UUID
    class_id: UUID
    masl_id: MaslId | None = None
    fiscal_year: FiscalYear
    funding_source: FundingSource
    with_dependents: bool = False
    medical_clearance: ScreeningRecord | None = None
    security_screening: ScreeningRecord | None = None


class NominationUpdate(NoNulls):
    """Drafts: any field. In the pipeline: only the screening records. Status is never settable."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"security_screening": {"recorded_on": "2026-10-20", "reference": "SEC-88"}}
            ]
        },
    )

    class_id: UUID | None = None
    masl_id: MaslId | None = None
    fiscal_year: FiscalYear | None = None
    funding_source: FundingSource | None = None
    with_dependents: bool | None = None
    medical_clearance: ScreeningRecord | None = None
    security_screening: ScreeningRecord | None = None


class SeatView(BaseModel):
    status: str = Field(description="none, held, waitlisted, confirmed, released")
    hold_expires_at: datetime | None
    waitlist_position: int | None


class VettingView(BaseModel):
    status: str = Field(description="none, pending, approved, suspended, denied, cancelled")
    case_id: UUID | None
    valid_until: date | None


class FundingView(BaseModel):
    status: str = Field(description="none, requested, obligated, rejected, deobligated")
    obligation_id: UUID | None
    obligated_amount: Decimal | None
    penalty_amount: Decimal | None


class TrainingView(BaseModel):
    started_on: date | None
    ended_on: date | None
    days_attended: int | None


class NominationPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_CREATE_EXAMPLE,
                    "id": "c2a4e0f3-3333-4b4c-a2f1-1d2e3f4a5b33",
                    "country": "GTM",
                    "masl_id": "B171002",
                    "status": "funding_rejected",
                    "status_reason": "insufficient_funds",
                }
            ]
        }
    )

    id: UUID
    country: str
    candidate_id: UUID
    class_id: UUID
    masl_id: str
    fiscal_year: int
    funding_source: str
    with_dependents: bool
    status: NominationState
    status_reason: str | None = Field(description="Why it is where it is (visible to the SCO)")
    seat: SeatView
    vetting: VettingView
    funding: FundingView
    compensations: dict[str, str] = Field(
        description="After withdrawal/cancellation: seat_release, deobligation, "
        "vetting_cancellation -> pending / confirmed / not_needed"
    )
    medical_clearance: ScreeningRecord | None = Field(description="Null when redacted")
    security_screening: ScreeningRecord | None = Field(description="Null when redacted")
    redacted: bool
    data_complete_on: date | None
    training: TrainingView
    current_ito: str | None = Field(None, description="Number of the issued travel order, if any")
    submitted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class NominationPage(Page[NominationPublic]):
    pass


class HistoryEntry(BaseModel):
    id: int
    occurred_at: datetime
    kind: str = Field(description="transition, fact, decision, compensation, document")
    from_state: str | None
    to_state: str | None
    reason: str | None
    actor: str
    cause_event_id: str | None
    detail: dict[str, Any]


class NominationHistory(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nomination_id": "c2a4e0f3-3333-4b4c-a2f1-1d2e3f4a5b33",
                    "items": [
                        {
                            "id": 41,
                            "occurred_at": "2026-12-01T10:00:00Z",
                            "kind": "transition",
                            "from_state": "funding",
                            "to_state": "funding_rejected",
                            "reason": "insufficient_funds",
                            "actor": "system:nomination",
                            "cause_event_id": "5f0c3d1e-...",
                            "detail": {},
                        }
                    ],
                }
            ]
        }
    )

    nomination_id: UUID
    items: list[HistoryEntry]


class WithdrawRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reason": "Candidate reassigned to a border unit",
                 "reason_code": "operational_needs"}
            ]
        },
    )  # fmt: skip

    reason: Reason | None = Field(
        None, description="In your words: the status reason and history here, never published"
    )
    reason_code: WithdrawalReason = Field(
        "not_stated", description="Why, as a code: what `nomination.withdrawn` tells others"
    )


class CancelRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Course cancelled by the schoolhouse"}]},
    )

    reason: Reason


class StartTrainingRequest(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"started_on": "2027-03-01"}]}
    )

    started_on: date | None = Field(None, description="Default: today")


class CompleteTrainingRequest(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"ended_on": "2027-05-07"}]}
    )

    ended_on: date | None = Field(None, description="Default: today")


class TerminateTrainingRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "Returned home on medical grounds",
                    "days_attended": 23,
                    "ended_on": "2027-03-24",
                }
            ]
        },
    )

    reason: Reason
    days_attended: int = Field(ge=0, le=3650)
    ended_on: date | None = Field(None, description="Default: today")
