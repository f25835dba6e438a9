"""The service README says what the code does: its consumed events are the declared flow's and
it names every route it serves."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from reporting.entrypoints.http.routes import routers
from shared.contracts.flow import subscriptions_of

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(imet\.[a-z_.0-9]+)` \| `(when_[a-z_]+)` \|", re.MULTILINE)


def test_the_readme_lists_exactly_the_reactions_the_flow_declares_for_reporting() -> None:
    listed = set(ROW.findall(README.read_text()))

    declared = {(s.event.TYPE, s.handler) for s in subscriptions_of("reporting")}

    assert listed == declared


def test_the_readme_names_every_route_of_the_api() -> None:
    api = README.read_text().split("## API", 1)[1].split("\n## ", 1)[0]
    paths = {
        route.path for router in routers() for route in router.routes if isinstance(route, APIRoute)
    }

    assert paths
    assert {p for p in paths if f"{p}" not in api and f"{p}?" not in api} == set()
