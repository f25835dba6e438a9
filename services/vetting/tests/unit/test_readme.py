"""The service README says what the code does: its consumed events are the declared flow's, and
it names every event vetting publishes (no copy kept by hand drifts unnoticed)."""

from __future__ import annotations

from pathlib import Path

from shared.contracts.vetting import v1
from tests.helpers.service_readme import (
    declared_reactions,
    listed_reactions,
    published_kinds,
    unnamed,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_exactly_the_reactions_the_flow_declares_for_vetting() -> None:
    assert listed_reactions(README) == declared_reactions("vetting")


def test_the_readme_names_every_event_vetting_publishes() -> None:
    published = published_kinds(v1)

    assert len(published) >= 9
    assert unnamed(README, published) == set()
