"""Published event schemas are pinned: a change that would break consumers fails CI.

A compatible change (a new optional field) also fails until the snapshot is refreshed with
`IMET_UPDATE_SNAPSHOTS=1 make test`, which refuses to write a breaking change: that needs a V2.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shared.contracts.compat import breaking_changes
from shared.contracts.registry import published_events

SNAPSHOTS = Path(__file__).parent / "snapshots" / "events"
EVENTS = published_events()


@pytest.mark.parametrize("event_type", sorted(EVENTS))
def test_event_schema_matches_its_published_snapshot(event_type: str) -> None:
    schema = EVENTS[event_type].model_json_schema()
    path = SNAPSHOTS / f"{event_type}.json"
    update = os.environ.get("IMET_UPDATE_SNAPSHOTS") == "1"

    if not path.exists():
        if not update:
            pytest.fail(f"no snapshot for {event_type}: run once with IMET_UPDATE_SNAPSHOTS=1")
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        return
    published = json.loads(path.read_text())
    problems = breaking_changes(published, schema)

    assert not problems, f"{event_type} changed incompatibly (publish a V2 beside V1): {problems}"
    if schema != published:
        if update:
            path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        else:
            pytest.fail(
                f"{event_type} changed compatibly: refresh its snapshot (IMET_UPDATE_SNAPSHOTS=1)"
            )


def test_every_event_type_is_named_by_the_convention() -> None:
    for event_type, model in EVENTS.items():
        service = model.TOPIC.split(".")[1]

        assert event_type.startswith(f"imet.{service}.")
        assert event_type.rsplit(".", 1)[-1].startswith("v")
        assert f"imet.{service}.events" == model.TOPIC
        assert model.KEY_FIELD in model.model_fields


def test_no_event_carries_personal_data_fields() -> None:
    personal = {
        "date_of_birth",
        "dob",
        "birth_date",
        "passport",
        "passport_number",
        "phone",
        "given_names",
        "family_names",
        "first_name",
        "last_name",
        "full_name",
        "email",
        "place_of_birth",
    }

    offending = {
        t: sorted(set(m.model_fields) & personal)
        for t, m in EVENTS.items()
        if set(m.model_fields) & personal
    }

    assert offending == {}
