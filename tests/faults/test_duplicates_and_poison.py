"""A duplicate-delivery storm and poison messages on every topic, mid-stream.

Already-consumed records are produced again, byte for byte (what a relay re-sending after lost
acks, or a replaying operator, does): every consumer must drop them by event id. Poison on each
topic - a record that is no CloudEvent at all, and one whose body fails its event model - must
land in the DLQ exactly once per consumer that has to reject it, and the partitions move on.
"""

from __future__ import annotations

import time

import pytest

from shared.messaging.kafka import LOGICAL_TOPICS
from tests.faults.invariants import headers, read_since
from tests.faults.poison import poison_records, send
from tests.faults.scenario import Scenario
from tests.helpers.timing import scaled

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.timeout(scaled(900))]

STORM = 600  # records produced again


async def _storm_and_poison(s: Scenario) -> tuple[float, float]:
    assert s.mark is not None
    servers = s.fs.proxy.address
    start = time.monotonic()
    seen = [r for r in await read_since(servers, s.mark.offsets) if not r.topic.endswith(".dlq")]
    again = seen[:STORM]
    s.notes["records_produced_again"] = len(again)
    s.notes["drops_expected"] = sum(
        1
        for r in again
        for c in s.fs.consumes.values()
        if headers(r).get("ce_type") in c.get(r.topic, set())
    )
    poison, raw = poison_records(s.fs.consumes)
    s.poison += poison
    await send(servers, [(r.topic, r.key, r.value, list(r.headers)) for r in again] + raw)
    return start, time.monotonic()


async def test_a_duplicate_storm_and_poison_on_every_topic_change_nothing_but_the_dlq(
    scenario: Scenario,
) -> None:
    scenario.name = "duplicate storm + poison on every topic"

    result = await scenario.run(_storm_and_poison)

    assert result.violations == []
    assert len(scenario.poison) == 2 * len(LOGICAL_TOPICS)
    assert result.duplicates_dropped >= scenario.notes["drops_expected"]
