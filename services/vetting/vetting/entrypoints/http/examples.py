"""Examples shown in the OpenAPI document, and the problem answers each route may give."""

from __future__ import annotations

from typing import Any

from pydantic.config import JsonDict

CASE_ID = "3f0a4c1e-8d2b-4f4e-9a51-6c1d2e7b9a10"
NOMINATION_ID = "b7d1c2a4-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
CANDIDATE_ID = "0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"
DECISION_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
ENTRY_ID = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"

DECISION_CREATE: JsonDict = {
    "result": "approved",
    "reason_code": "cleared",
    "rationale": "Embassy and INL holdings checked; no derogatory information.",
}
CONFIRMATION_CREATE: JsonDict = {"outcome": "confirmed", "rationale": "Reviewed the file; concur."}
REGISTRY_CREATE: JsonDict = {
    "country": "GTM",
    "unit_name": "Example Task Force 7",
    "source_reference": "INVEST case 2026-0142",
    "summary": "Credible reports of extrajudicial killings in 2025.",
}
REMEDIATION_CREATE: JsonDict = {
    "remediation_notes": "Perpetrators prosecuted; unit reconstituted.",
    "remediation_reference": "DRL memo 2026-88",
}
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
DECISION: JsonDict = {
    "decision_id": DECISION_ID,
    "case_id": CASE_ID,
    "result": "approved",
    "reason_code": "cleared",
    "rationale": "Embassy and INL holdings checked; no derogatory information.",
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
CASE_DETAIL: JsonDict = CASE | {
    "decisions": [DECISION],
    "pending_decision_id": None,
    "unit_blocked_by": None,
    "possible_duplicates": [],
}
REGISTRY_ENTRY: JsonDict = {
    "entry_id": ENTRY_ID,
    "country": "GTM",
    "unit_name": "Example Task Force 7",
    "source_reference": "INVEST case 2026-0142",
    "summary": "Credible reports of extrajudicial killings in 2025.",
    "active": True,
    "added_by": "vetter-ana",
    "added_at": "2026-11-02T09:15:00Z",
    "remediated_at": None,
    "remediated_by": None,
    "remediation_notes": None,
    "remediation_reference": None,
}
COUNTRY_STATISTICS: JsonDict = {
    "country": "GTM",
    "open": 12,
    "pending_confirmation": 1,
    "suspended": 2,
    "overdue": 3,
    "decisions_counted": 41,
    "median_working_days_to_decision": 6.0,
}
STATISTICS: JsonDict = {
    "as_of": "2026-11-30",
    "open": 12,
    "pending_confirmation": 1,
    "suspended": 2,
    "overdue": 3,
    "median_working_days_to_decision": 6.0,
    "by_country": [COUNTRY_STATISTICS],
}

_PROBLEMS = {
    400: "Malformed cursor or If-Match header",
    401: "No or invalid bearer token",
    403: "The caller's role may not do this",
    404: "No such resource (or not of the SCO's country)",
    409: "The current state refuses the change",
    412: "If-Match does not match the current ETag",
    422: "Invalid input, or a reason code that does not fit",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the problem+json answers a route may give."""
    return {
        status: {"description": _PROBLEMS[status], "content": {"application/problem+json": {}}}
        for status in (401, 403, *statuses)
    }
