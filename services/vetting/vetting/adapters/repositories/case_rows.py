"""How a case and its decisions map to their rows (`vetting_case`, `decision`,
`decision_confirmation`), both ways."""

from __future__ import annotations

from typing import Any

from vetting.domain.case import VettingCase
from vetting.domain.decision import Confirmation, Decision, Outcome, Result
from vetting.domain.registry import unit_key
from vetting.domain.units import UnitMatch

CASE_FIELDS = (
    "id",
    "nomination_id",
    "candidate_id",
    "person_fingerprint",
    "country",
    "unit_name",
    "class_id",
    "report_date",
    "opened_at",
    "opened_on",
    "cycle_started_on",
    "due_on",
    "flagged_possible_duplicate",
    "possible_duplicate_of",
    "version",
    "vetted_revision",
    "unit_id",
    "unit_match",
)
# The case's facts that change when the candidate's vetted facts do (`save` rewrites them).
FACT_FIELDS = (
    "person_fingerprint",
    "unit_name",
    "flagged_possible_duplicate",
    "possible_duplicate_of",
    "vetted_revision",
    "unit_id",
    "unit_match",
)
DECISION_FIELDS = (
    "id",
    "reason_code",
    "rationale",
    "decided_by",
    "decided_at",
    "decided_on",
    "cycle_started_on",
    "first_in_cycle",
    "automatic",
    "requires_confirmation",
    "valid_until",
    "reused_from_case_id",
    "registry_entry_id",
)


def current_columns(case: VettingCase) -> dict[str, Any]:
    """The case's cached current result, as derived from its history."""
    now = case.standing
    return {
        "status": now.status.value,
        "reason_code": now.reason_code,
        "decided_at": now.decided_at,
        "valid_until": now.valid_until,
        "registry_entry_id": now.registry_entry_id,
        "reused_from_case_id": now.reused_from_case_id,
        "cycle_started_on": case.cycle_started_on,
        "due_on": case.due_on,
        "unit_key": unit_key(case.unit_name),
    }


def new_case_values(case: VettingCase) -> dict[str, Any]:
    values = {f: getattr(case, f) for f in CASE_FIELDS}
    return values | current_columns(case) | {"unit_match": case.unit_match.value}


def changed_case_values(case: VettingCase) -> dict[str, Any]:
    values = {f: getattr(case, f) for f in FACT_FIELDS}
    return values | current_columns(case) | {"unit_match": case.unit_match.value}


def case_from_row(row: Any, history: list[Decision]) -> VettingCase:
    case = VettingCase(**{f: getattr(row, f) for f in CASE_FIELDS if f != "unit_match"})
    case.unit_match = UnitMatch(row.unit_match)
    case.history = history
    return case


def decision_values(case_id: Any, item: Decision) -> dict[str, Any]:
    values = {f: getattr(item, f) for f in DECISION_FIELDS}
    return values | {"case_id": case_id, "result": item.result.value}


def confirmation_values(item: Decision, c: Confirmation) -> dict[str, Any]:
    return {
        "id": c.id,
        "decision_id": c.decision_id,
        "outcome": c.outcome.value,
        "rationale": c.rationale,
        "decided_by": item.decided_by,
        "confirmed_by": c.confirmed_by,
        "confirmed_at": c.confirmed_at,
        "confirmed_on": c.confirmed_on,
        "valid_until": c.valid_until,
    }


def decision_from_row(row: Any) -> Decision:
    """A decision from its row joined with its confirmation's (columns prefixed `c_`)."""
    confirmation = None
    if row.c_id is not None:
        confirmation = Confirmation(
            id=row.c_id,
            decision_id=row.id,
            outcome=Outcome(row.c_outcome),
            rationale=row.c_rationale,
            confirmed_by=row.c_confirmed_by,
            confirmed_at=row.c_confirmed_at,
            confirmed_on=row.c_confirmed_on,
            valid_until=row.c_valid_until,
        )
    return Decision(
        result=Result(row.result),
        confirmation=confirmation,
        **{f: getattr(row, f) for f in DECISION_FIELDS},
    )
