"""The service README says what the code does: its consumed events are the declared flow's and
it names every route it serves."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from reporting.entrypoints.http.routes import routers
from tests.helpers.service_readme import (
    declared_reactions,
    listed_reactions,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_exactly_the_reactions_the_flow_declares_for_reporting() -> None:
    assert listed_reactions(README) == declared_reactions("reporting")


def test_the_readme_names_every_route_of_the_api() -> None:
    api = README.read_text().split("## API", 1)[1].split("\n## ", 1)[0]
    paths = {
        route.path for router in routers() for route in router.routes if isinstance(route, APIRoute)
    }

    assert paths
    assert {p for p in paths if f"{p}" not in api and f"{p}?" not in api} == set()
