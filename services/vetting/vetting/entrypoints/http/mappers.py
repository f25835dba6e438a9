"""Stored rows and domain objects -> the API's public shapes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from vetting.adapters.repositories import current_columns
from vetting.domain.case import VettingCase
from vetting.domain.decision import (
    AWAITING_DECISION,
    CaseStatus,
    Decision,
    DecisionState,
    decision_states,
)
from vetting.domain.registry import RegistryEntry
from vetting.entrypoints.http.schemas import (
    CaseDetailPublic,
    CasePublic,
    CaseStatusPublic,
    ConfirmationPublic,
    DecisionPublic,
    RegistryEntryPublic,
)
from vetting.settings import VettingSettings

_STATUS_FIELDS = tuple(CaseStatusPublic.model_fields)


def case_mapping(case: VettingCase) -> dict[str, Any]:
    """A domain case in the shape of its stored row."""
    fields = {
        name: getattr(case, name)
        for name in (
            "id",
            "nomination_id",
            "candidate_id",
            "country",
            "unit_name",
            "class_id",
            "report_date",
            "opened_at",
            "opened_on",
            "flagged_possible_duplicate",
            "possible_duplicate_of",
            "unit_id",
            "unit_match",
        )
    }
    return fields | current_columns(case)


def case_status(row: Mapping[str, Any]) -> CaseStatusPublic:
    values = {"case_id": row["id"], **{f: row[f] for f in _STATUS_FIELDS if f != "case_id"}}
    return CaseStatusPublic(**values)


def case_public(row: Mapping[str, Any], settings: VettingSettings, today: date) -> CasePublic:
    status = CaseStatus(row["status"])
    return CasePublic(
        **case_status(row).model_dump(),
        candidate_id=row["candidate_id"],
        candidate_url=settings.candidate_url_template.format(candidate_id=row["candidate_id"]),
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


def decision_public(case: VettingCase, decision: Decision) -> DecisionPublic:
    state = dict(zip((d.id for d in case.history), decision_states(case.history), strict=True))
    return _decision(case.id, decision, state[decision.id], case.status)


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


def case_detail(
    case: VettingCase,
    settings: VettingSettings,
    today: date,
    *,
    unit_blocked_by: UUID | None,
    possible_duplicates: list[UUID],
) -> CaseDetailPublic:
    states = decision_states(case.history)
    pending = case.pending
    return CaseDetailPublic(
        **case_public(case_mapping(case), settings, today).model_dump(),
        decisions=[
            _decision(case.id, d, s, case.status) for d, s in zip(case.history, states, strict=True)
        ],
        pending_decision_id=pending.id if pending else None,
        unit_blocked_by=unit_blocked_by,
        possible_duplicates=possible_duplicates,
    )


def registry_public(entry: RegistryEntry | Mapping[str, Any]) -> RegistryEntryPublic:
    data = (
        dict(entry)
        if isinstance(entry, Mapping)
        else {
            f: getattr(entry, f)
            for f in (
                "id",
                "country",
                "unit_name",
                "source_reference",
                "summary",
                "added_by",
                "added_at",
                "remediated_at",
                "remediated_by",
                "remediation_notes",
                "remediation_reference",
                "unit_id",
                "include_subunits",
            )
        }
    )
    return RegistryEntryPublic(
        entry_id=data["id"],
        active=data["remediated_at"] is None,
        **{k: v for k, v in data.items() if k in RegistryEntryPublic.model_fields},
    )
