"""What a service README must say, read off the code (each service's tests/unit/test_readme.py).

The README's reactions table (`| `type` | `handler` | ... |`) is compared with the declared flow,
and the events it names with the producer's contracts, so no copy kept by hand drifts.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from shared.contracts.envelope import IntegrationEvent
from shared.contracts.flow import subscriptions_of

REACTION_ROW = re.compile(r"^\| `(imet\.[a-z_.0-9]+)` \| `(when_[a-z_]+)` \|", re.MULTILINE)


def listed_reactions(readme: Path) -> set[tuple[str, str]]:
    """(event type, handler) of every row of the README's reactions table."""
    return set(REACTION_ROW.findall(readme.read_text()))


def declared_reactions(consumer: str) -> set[tuple[str, str]]:
    """(event type, handler) the declared flow (shared/contracts/flow.py) binds for `consumer`."""
    return {(s.event.TYPE, s.handler) for s in subscriptions_of(consumer)}


def published_kinds(contracts: ModuleType) -> set[str]:
    """The short names (`seat_held`) of every event a producer's `v1` module puts on its topic."""
    return {
        kind.split(".")[2]
        for model in vars(contracts).values()
        if isinstance(model, type) and issubclass(model, IntegrationEvent)
        if (kind := getattr(model, "TYPE", None)) and model.TOPIC == contracts.TOPIC
    }


def unnamed(readme: Path, kinds: set[str]) -> set[str]:
    """The kinds the README never names in backticks."""
    text = readme.read_text()
    return {kind for kind in kinds if f"`{kind}`" not in text}
