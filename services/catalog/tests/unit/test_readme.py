"""The service README says what the code does: its consumed events are the declared flow's, and
it names every event the catalog publishes (no copy kept by hand drifts unnoticed)."""

from __future__ import annotations

import re
from pathlib import Path

from shared.contracts.catalog import v1
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.flow import subscriptions_of

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(imet\.[a-z_.0-9]+)` \| `(when_[a-z_]+)` \|", re.MULTILINE)


def test_the_readme_lists_exactly_the_reactions_the_flow_declares_for_the_catalog() -> None:
    listed = set(ROW.findall(README.read_text()))

    declared = {(s.event.TYPE, s.handler) for s in subscriptions_of("catalog")}

    assert listed == declared


def test_the_readme_names_every_event_the_catalog_publishes() -> None:
    text = README.read_text()
    published = {
        kind.split(".")[2]
        for model in vars(v1).values()
        if isinstance(model, type) and issubclass(model, IntegrationEvent)
        if (kind := getattr(model, "TYPE", None)) and model.TOPIC == "imet.catalog.events"
    }

    assert published
    assert {kind for kind in published if f"`{kind}`" not in text} == set()
