"""Every published event type, by importing every producer's contract modules."""

from __future__ import annotations

from shared.contracts.catalog import v1 as catalog_v1
from shared.contracts.envelope import IntegrationEvent, registered_events
from shared.contracts.funding import v1 as funding_v1
from shared.contracts.nomination import v1 as nomination_v1
from shared.contracts.vetting import v1 as vetting_v1

CONTRACT_MODULES = (catalog_v1, nomination_v1, vetting_v1, funding_v1)


def published_events() -> dict[str, type[IntegrationEvent]]:
    """Event type -> model, for the four services' contracts (test-only events excluded)."""
    return {
        name: model
        for name, model in registered_events().items()
        if model.__module__.startswith("shared.contracts.")
    }
