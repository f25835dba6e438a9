"""The service README says what the code does: its consumed events are the declared flow's, and
it names every event vetting publishes (no copy kept by hand drifts unnoticed)."""

from __future__ import annotations

import re
from pathlib import Path

from shared.contracts.envelope import IntegrationEvent
from shared.contracts.flow import subscriptions_of
from shared.contracts.vetting import v1

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(imet\.[a-z_.0-9]+)` \| `(when_[a-z_]+)` \|", re.MULTILINE)


def test_the_readme_lists_exactly_the_reactions_the_flow_declares_for_vetting() -> None:
    listed = set(ROW.findall(README.read_text()))

    declared = {(s.event.TYPE, s.handler) for s in subscriptions_of("vetting")}

    assert listed == declared


def test_the_readme_names_every_event_vetting_publishes() -> None:
    text = README.read_text()
    published = {
        kind.split(".")[2]
        for model in vars(v1).values()
        if isinstance(model, type) and issubclass(model, IntegrationEvent)
        if (kind := getattr(model, "TYPE", None)) and model.TOPIC == v1.TOPIC
    }

    assert len(published) >= 9
    assert {kind for kind in published if f"`{kind}`" not in text} == set()
