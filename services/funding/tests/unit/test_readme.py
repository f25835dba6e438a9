"""The service README says what the code does: its consumed events are the declared flow's, it
names every event funding publishes and every route it serves (no copy kept by hand drifts
unnoticed)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from funding.entrypoints.http.routes import routers
from shared.contracts.funding import v1
from tests.helpers.service_readme import (
    declared_reactions,
    listed_reactions,
    published_kinds,
    unnamed,
)

README = Path(__file__).resolve().parents[2] / "README.md"
PREFIX = "/api/v1/funding"


def test_the_readme_lists_exactly_the_reactions_the_flow_declares_for_funding() -> None:
    assert listed_reactions(README) == declared_reactions("funding")


def test_the_readme_names_every_event_funding_publishes() -> None:
    published = published_kinds(v1)

    assert published
    assert unnamed(README, published) == set()


def test_the_readme_names_every_resource_path_of_the_api() -> None:
    api = README.read_text().split("## API", 1)[1].split("\n## ", 1)[0]
    paths = {
        route.path.removeprefix(PREFIX)
        for router in routers()
        for route in router.routes
        if isinstance(route, APIRoute)
    }

    named = {p for p in paths if re.sub(r"\{[a-z_]+\}", "{", p) in re.sub(r"\{[a-z_]+\}", "{", api)}

    assert paths
    assert paths - named == set()
