"""Domain facts -> the published contracts (`shared.contracts.vetting.v1`), staged in the outbox.

Only ids, the unit name, the country, dates and reason CODES leave the service: no personal
data, no free-text rationale, no registry details beyond the entry id.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from shared.contracts.envelope import IntegrationEvent
from shared.contracts.vetting.v1 import (
    ApprovalSuspendedV1,
    CaseOpenedV1,
    CaseReopenedV1,
    ReasonCode,
    VettingApprovedV1,
    VettingCancelledV1,
    VettingDeniedV1,
    VettingExpiredV1,
    VettingSuspendedV1,
)
from vetting.domain.case import VettingCase
from vetting.domain.decision import Decision, Result


def case_opened(case: VettingCase) -> CaseOpenedV1:
    return CaseOpenedV1(
        case_id=case.id,
        nomination_id=case.nomination_id,
        country=case.country,
        candidate_id=case.candidate_id,
        unit_name=case.unit_name,
        opened_on=case.opened_on,
        due_on=case.due_on,
        flagged_possible_duplicate=case.flagged_possible_duplicate,
    )


def result_event(case: VettingCase, decision: Decision) -> IntegrationEvent:
    """The event announcing a decision that took effect (never one pending confirmation)."""
    common = {"case_id": case.id, "nomination_id": case.nomination_id, "country": case.country}
    reason = cast(ReasonCode, decision.reason_code)
    if decision.result is Result.APPROVED:
        valid_until = decision.effective_valid_until
        if valid_until is None:
            raise ValueError("an effective approval has a validity")
        return VettingApprovedV1(
            **common,
            candidate_id=case.candidate_id,
            valid_until=valid_until,
            decided_at=decision.effective_at,
            automatic=decision.automatic,
            reused_from_case_id=decision.reused_from_case_id,
            reason_code=reason,
            vetted_revision=case.vetted_revision,
        )
    if decision.result is Result.SUSPENDED:
        return VettingSuspendedV1(**common, decided_at=decision.effective_at, reason_code=reason)
    if decision.result is Result.DENIED:
        return VettingDeniedV1(
            **common,
            decided_at=decision.effective_at,
            reason_code=reason,
            registry_entry_id=decision.registry_entry_id,
        )
    if decision.result is Result.CANCELLED:
        return VettingCancelledV1(**common, decided_at=decision.effective_at, reason_code=reason)
    raise ValueError(f"{decision.result} is announced by its own event")


def reopened(case: VettingCase, fields: list[str], on: date) -> CaseReopenedV1:
    return CaseReopenedV1(
        case_id=case.id,
        nomination_id=case.nomination_id,
        country=case.country,
        candidate_id=case.candidate_id,
        reason_code="candidate_changed",
        changed_fields=fields,
        reopened_on=on,
        due_on=case.due_on,
        vetted_revision=case.vetted_revision,
    )


def approval_suspended(case: VettingCase, decision: Decision) -> ApprovalSuspendedV1:
    if decision.registry_entry_id is None:
        raise ValueError("a registry suspension names its entry")
    return ApprovalSuspendedV1(
        case_id=case.id,
        nomination_id=case.nomination_id,
        country=case.country,
        decided_at=decision.effective_at,
        reason_code="unit_listed",
        registry_entry_id=decision.registry_entry_id,
        unit_id=case.unit_id,
    )


def expired(case: VettingCase, lapsed_on: date) -> VettingExpiredV1:
    return VettingExpiredV1(
        case_id=case.id,
        nomination_id=case.nomination_id,
        country=case.country,
        candidate_id=case.candidate_id,
        lapsed_on=lapsed_on,
        report_date=case.report_date,
    )
