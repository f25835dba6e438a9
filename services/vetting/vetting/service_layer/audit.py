"""What the audit trail records of a case or a decision (JSON-ready, no personal data)."""

from __future__ import annotations

from typing import Any

from vetting.domain.case import VettingCase
from vetting.domain.decision import Decision


def case_snapshot(case: VettingCase) -> dict[str, Any]:
    valid_until = case.valid_until
    current = case.current
    return {
        "status": case.status.value,
        "reason_code": current.reason_code if current else None,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "due_on": case.due_on.isoformat(),
        "version": case.version,
    }


def decision_snapshot(decision: Decision) -> dict[str, Any]:
    confirmation = decision.confirmation
    return {
        "decision_id": str(decision.id),
        "result": decision.result.value,
        "reason_code": decision.reason_code,
        "rationale": decision.rationale,
        "automatic": decision.automatic,
        "requires_confirmation": decision.requires_confirmation,
        "registry_entry_id": str(decision.registry_entry_id)
        if decision.registry_entry_id
        else None,
        "reused_from_case_id": str(decision.reused_from_case_id)
        if decision.reused_from_case_id
        else None,
        "confirmation": None
        if confirmation is None
        else {
            "outcome": confirmation.outcome.value,
            "rationale": confirmation.rationale,
            "confirmed_by": confirmation.confirmed_by,
        },
    }
