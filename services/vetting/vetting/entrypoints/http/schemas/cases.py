"""Bodies of `/cases`: a case as an SCO may see it (status only), as vetters and auditors see it,
and with its history; from list rows (`adapters.queries`) or from the domain case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from shared.contracts.types import CountryCode
from shared.http.pagination import Page
from vetting.domain.case import VettingCase
from vetting.domain.decision import AWAITING_DECISION, CaseStatus
from vetting.entrypoints.http.schemas.common import (
    CANDIDATE_ID,
    CASE_ID,
    NOMINATION_ID,
    CaseStatusName,
    UnitMatchName,
)
from vetting.entrypoints.http.schemas.decisions import DECISION, DecisionPublic, history_public

CASE_STATUS: JsonDict = {
    "case_id": CASE_ID,
    "nomination_id": NOMINATION_ID,
    "country": "GTM",
    "status": "approved",
    "reason_code": "cleared",
    "opened_on": "2026-11-20",
    "due_on": "2026-12-07",
    "decided_at": "2026-11-25T15:02:11Z",
    "valid_until": "2027-11-24",
}
CASE: JsonDict = CASE_STATUS | {
    "candidate_id": CANDIDATE_ID,
    "candidate_url": f"/api/v1/nominations/candidates/{CANDIDATE_ID}",
    "unit_name": "1st Infantry Battalion",
    "class_id": "7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928",
    "report_date": "2027-02-27",
    "opened_at": "2026-11-20T14:00:03Z",
    "overdue": False,
    "flagged_possible_duplicate": False,
    "possible_duplicate_of": None,
    "registry_entry_id": None,
    "reused_from_case_id": None,
}
CASE_DETAIL: JsonDict = CASE | {
    "decisions": [DECISION],
    "pending_decision_id": None,
    "unit_blocked_by": None,
    "possible_duplicates": [],
}


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

    model_config = ConfigDict(json_schema_extra={"examples": [CASE_STATUS]})


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

    model_config = ConfigDict(json_schema_extra={"examples": [CASE]})


class CaseDetailPublic(CasePublic):
    decisions: list[DecisionPublic] = Field(description="The append-only history, oldest first")
    pending_decision_id: UUID | None
    unit_blocked_by: UUID | None = Field(description="Active registry entry blocking the unit now")
    possible_duplicates: list[UUID] = Field(
        description="Cases of other candidates with the same person fingerprint"
    )

    model_config = ConfigDict(json_schema_extra={"examples": [CASE_DETAIL]})


class CasePage(Page[CasePublic]):
    pass


class CaseStatusPage(Page[CaseStatusPublic]):
    pass


_STATUS_FIELDS = tuple(CaseStatusPublic.model_fields)


def case_row(case: VettingCase) -> dict[str, Any]:
    """A domain case in the shape of a listed row (its current result derived from history)."""
    standing = case.standing
    names = (
        "id", "nomination_id", "candidate_id", "country", "unit_name", "class_id",
        "report_date", "opened_at", "opened_on", "due_on", "flagged_possible_duplicate",
        "possible_duplicate_of", "unit_id",
    )  # fmt: skip
    return {name: getattr(case, name) for name in names} | {
        "unit_match": case.unit_match.value,
        "status": standing.status.value,
        "reason_code": standing.reason_code,
        "decided_at": standing.decided_at,
        "valid_until": standing.valid_until,
        "registry_entry_id": standing.registry_entry_id,
        "reused_from_case_id": standing.reused_from_case_id,
    }


def case_status(row: Mapping[str, Any]) -> CaseStatusPublic:
    values = {"case_id": row["id"], **{f: row[f] for f in _STATUS_FIELDS if f != "case_id"}}
    return CaseStatusPublic(**values)


def case_public(row: Mapping[str, Any], candidate_url_template: str, today: date) -> CasePublic:
    status = CaseStatus(row["status"])
    return CasePublic(
        **case_status(row).model_dump(),
        candidate_id=row["candidate_id"],
        candidate_url=candidate_url_template.format(candidate_id=row["candidate_id"]),
        unit_name=row["unit_name"],
        class_id=row["class_id"],
        report_date=row["report_date"],
        opened_at=row["opened_at"],
        overdue=status in AWAITING_DECISION and today > row["due_on"],
        flagged_possible_duplicate=row["flagged_possible_duplicate"],
        possible_duplicate_of=row["possible_duplicate_of"],
        registry_entry_id=row["registry_entry_id"],
        reused_from_case_id=row["reused_from_case_id"],
        unit_id=row["unit_id"],
        unit_match=str(row["unit_match"]),
    )


def case_detail(
    case: VettingCase,
    candidate_url_template: str,
    today: date,
    *,
    unit_blocked_by: UUID | None,
    possible_duplicates: list[UUID],
) -> CaseDetailPublic:
    pending = case.pending
    return CaseDetailPublic(
        **case_public(case_row(case), candidate_url_template, today).model_dump(),
        decisions=history_public(case),
        pending_decision_id=pending.id if pending else None,
        unit_blocked_by=unit_blocked_by,
        possible_duplicates=possible_duplicates,
    )
