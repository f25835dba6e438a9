"""The vetting events carry no personal data: no names, birth dates, passports or rationale."""

from __future__ import annotations

from typing import Any

from shared.contracts.registry import published_events

FORBIDDEN = {
    "name",
    "names",
    "first_name",
    "last_name",
    "given_names",
    "family_name",
    "full_name",
    "date_of_birth",
    "dob",
    "birth_date",
    "place_of_birth",
    "passport",
    "passport_number",
    "phone",
    "email",
    "person_fingerprint",
    "rationale",
    "summary",
    "remediation_notes",
}


def property_names(schema: dict[str, Any]) -> set[str]:
    """Every property name anywhere in a JSON schema (nested objects and definitions too)."""
    names: set[str] = set()
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            names.update(value)
        if isinstance(value, dict):
            names |= property_names(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    names |= property_names(item)
    return names


def test_no_vetting_event_schema_has_a_personal_data_field() -> None:
    vetting = {t: m for t, m in published_events().items() if t.startswith("imet.vetting.")}

    leaks = {t: property_names(m.model_json_schema()) & FORBIDDEN for t, m in vetting.items()}

    assert {t.split(".")[2] for t in vetting} == {
        "case_opened", "approved", "suspended", "denied", "cancelled", "expired", "case_reopened",
        "approval_suspended", "unit_registered",
    }  # fmt: skip
    assert all(not found for found in leaks.values()), leaks
