"""Nominations per state on the service's /metrics (imet_aggregates_by_state, ADR 0095)."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families


def _by_state(exposition: str) -> dict[str, float]:
    for family in text_string_to_metric_families(exposition):
        if family.name == "imet_aggregates_by_state":
            return {
                s.labels["state"]: s.value
                for s in family.samples
                if s.labels["service"] == "nomination" and s.labels["aggregate"] == "nomination"
            }
    return {}


async def test_metrics_count_nominations_per_state(world: Any, client: Any) -> None:
    before = _by_state((await client.get("/metrics")).text)

    await world.draft()
    await world.draft()
    await world.submitted()
    after = _by_state((await client.get("/metrics")).text)

    drafts = after.get("draft", 0) - before.get("draft", 0)
    submitted = sum(after.values()) - sum(before.values()) - drafts
    assert drafts == 2
    assert submitted == 1
