"""The service README says what the code does: its consumed events are the declared flow's, and
it names every event the catalog publishes (no copy kept by hand drifts unnoticed)."""

from __future__ import annotations

from pathlib import Path

from shared.contracts.catalog import v1
from tests.helpers.service_readme import (
    declared_reactions,
    listed_reactions,
    published_kinds,
    unnamed,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_exactly_the_reactions_the_flow_declares_for_the_catalog() -> None:
    assert listed_reactions(README) == declared_reactions("catalog")


def test_the_readme_names_every_event_the_catalog_publishes() -> None:
    published = published_kinds(v1)

    assert published
    assert unnamed(README, published) == set()
