"""The nomination contracts leave no room for personal data (ADR 0005)."""

from __future__ import annotations

import pytest

from shared.contracts.nomination import v1 as contract
from shared.contracts.registry import published_events

PERSONAL = {
    "family_names", "given_names", "name", "names", "date_of_birth", "birth_date",
    "place_of_birth", "passport", "passport_number", "sex", "phone", "email", "medical",
    "medical_reference", "security_reference",
}  # fmt: skip
NOMINATION_EVENTS = [m for m in published_events().values() if m.TOPIC == contract.TOPIC]


def test_the_nomination_service_publishes_these_event_types() -> None:
    assert {m.TYPE.split(".")[2] for m in NOMINATION_EVENTS} == {
        "created", "submitted", "state_changed", "funding_requested", "withdrawn", "cancelled",
        "training_ended", "ito_issued", "ito_recalled", "candidate_changed",
    }  # fmt: skip


@pytest.mark.parametrize("model", NOMINATION_EVENTS, ids=lambda m: m.TYPE)
def test_no_nomination_event_has_a_personal_field(model: type) -> None:
    fields = set(model.model_fields)  # type: ignore[attr-defined]

    assert not fields & PERSONAL
    assert "nomination_id" in fields
    assert model.KEY_FIELD == "nomination_id"  # type: ignore[attr-defined]
