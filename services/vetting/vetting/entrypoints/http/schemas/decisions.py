"""Bodies of `/cases/{case_id}/decisions`: a vetter's decision, a second vetter's confirmation,
and a decision as vetters and auditors see it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from shared.contracts.vetting.v1 import ReasonCode
from vetting.domain.case import VettingCase
from vetting.domain.decision import CaseStatus, Decision, DecisionState, decision_states
from vetting.entrypoints.http.schemas.common import (
    CASE_ID,
    DECISION_ID,
    CaseStatusName,
    DecisionStateName,
    LongText,
)

REASONS_BY_RESULT = (
    "approved: cleared; suspended: insufficient_information, under_review, unit_blocked; "
    "denied: derogatory_information, unit_blocked; cancelled: administrative"
)
RATIONALE = "Embassy and INL holdings checked; no derogatory information."
DECISION_CREATE: JsonDict = {"result": "approved", "reason_code": "cleared", "rationale": RATIONALE}
CONFIRMATION_CREATE: JsonDict = {"outcome": "confirmed", "rationale": "Reviewed the file; concur."}
DECISION: JsonDict = {
    "decision_id": DECISION_ID,
    "case_id": CASE_ID,
    "result": "approved",
    "reason_code": "cleared",
    "rationale": RATIONALE,
    "decided_by": "vetter-ana",
    "decided_at": "2026-11-25T15:02:11Z",
    "automatic": False,
    "state": "effective",
    "requires_confirmation": False,
    "valid_until": "2027-11-24",
    "reused_from_case_id": None,
    "registry_entry_id": None,
    "confirmation": None,
    "case_status": "approved",
}


class DecisionCreate(BaseModel):
    result: Literal["approved", "suspended", "denied", "cancelled"]
    reason_code: ReasonCode = Field(description=REASONS_BY_RESULT)
    rationale: LongText = Field(description="Why; seen by vetters and auditors only.")

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DECISION_CREATE]})


class ConfirmationCreate(BaseModel):
    outcome: Literal["confirmed", "rejected"]
    rationale: LongText

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CONFIRMATION_CREATE]})


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

    model_config = ConfigDict(json_schema_extra={"examples": [DECISION]})


def decision_public(case: VettingCase, decision: Decision) -> DecisionPublic:
    """One decision of the case, with its state in the case's history."""
    state = dict(zip((d.id for d in case.history), decision_states(case.history), strict=True))
    return _decision(case.id, decision, state[decision.id], case.status)


def history_public(case: VettingCase) -> list[DecisionPublic]:
    """The case's decisions, oldest first, each with its state."""
    states = decision_states(case.history)
    return [
        _decision(case.id, d, s, case.status) for d, s in zip(case.history, states, strict=True)
    ]


def _decision(
    case_id: UUID, d: Decision, state: DecisionState, status: CaseStatus
) -> DecisionPublic:
    c = d.confirmation
    return DecisionPublic(
        decision_id=d.id,
        case_id=case_id,
        result=d.result.value,
        reason_code=d.reason_code,
        rationale=d.rationale,
        decided_by=d.decided_by,
        decided_at=d.decided_at,
        automatic=d.automatic,
        state=state.value,
        requires_confirmation=d.requires_confirmation,
        valid_until=d.effective_valid_until,
        reused_from_case_id=d.reused_from_case_id,
        registry_entry_id=d.registry_entry_id,
        case_status=status.value,
        confirmation=None
        if c is None
        else ConfirmationPublic(
            outcome=c.outcome.value,
            rationale=c.rationale,
            confirmed_by=c.confirmed_by,
            confirmed_at=c.confirmed_at,
        ),
    )
