"""The service README says what the code does: its consumed events are the declared flow's, it
names every event nomination publishes and every route it serves (no copy kept by hand drifts
unnoticed)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from nomination.entrypoints.http.routes import routers
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.flow import subscriptions_of
from shared.contracts.nomination import v1

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(imet\.[a-z_.0-9]+)` \| `(when_[a-z_]+)` \|", re.MULTILINE)
PREFIX = "/api/v1/nominations"
PARAMETER = re.compile(r"\{[^}]+\}")


def test_the_readme_lists_exactly_the_reactions_the_flow_declares_for_nomination() -> None:
    listed = set(ROW.findall(README.read_text()))

    declared = {(s.event.TYPE, s.handler) for s in subscriptions_of("nomination")}

    assert listed == declared


def test_the_readme_names_every_event_nomination_publishes() -> None:
    text = README.read_text()
    published = {
        kind.split(".")[2]
        for model in vars(v1).values()
        if isinstance(model, type) and issubclass(model, IntegrationEvent)
        if (kind := getattr(model, "TYPE", None)) and model.TOPIC == v1.TOPIC
    }

    assert published
    assert {kind for kind in published if f"`{kind}`" not in text} == set()


def test_the_readme_names_every_resource_path_of_the_api() -> None:
    api = README.read_text().split("## API", 1)[1].split("\n## ", 1)[0]
    paths = {
        route.path.removeprefix(PREFIX) or "/"
        for router in routers()
        for route in router.routes
        if isinstance(route, APIRoute)
    }

    named = {p for p in paths if f" {PARAMETER.sub('{', p)}" in PARAMETER.sub("{", api)}

    assert paths
    assert paths - named == set()
