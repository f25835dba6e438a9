"""A duplicate-delivery storm and poison messages on every topic, mid-stream.

Already-consumed records are produced again, byte for byte (what a relay re-sending after lost
acks, or a replaying operator, does): every consumer must drop them by event id. Poison on each
topic - a record that is no CloudEvent at all, and one whose body fails its event model - must
land in the DLQ exactly once per consumer that has to reject it, and the partitions move on.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer

from shared.messaging.envelope import build_headers
from shared.messaging.kafka import LOGICAL_TOPICS
from tests.faults.invariants import Poison, headers, read_since
from tests.faults.scenario import Scenario

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.timeout(900)]

STORM = 600  # records produced again


async def _send(servers: str, records: list[tuple[str, bytes | None, bytes | None, list]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, key=key, value=value, headers=hdrs)
            for topic, key, value, hdrs in records
        ]
        for future in futures:
            await future
    finally:
        await producer.stop()


def _poison(s: Scenario) -> list[tuple[str, bytes | None, bytes | None, list]]:
    """Two poison records per topic: not a CloudEvent; a known type with a body that fails."""
    out = []
    for topic in LOGICAL_TOPICS:
        handled = sorted(set().union(*(c.get(topic, set()) for c in s.fs.consumes.values())))
        garbage = Poison(topic, f"poison-{uuid.uuid4()}", None)
        malformed = Poison(topic, f"poison-{uuid.uuid4()}", handled[0])
        s.poison += [garbage, malformed]
        out.append((topic, garbage.key.encode(), b"\xff not json", []))
        attrs = build_headers(
            event_id=str(uuid.uuid4()), event_type=handled[0], source="/fault-suite",
            subject=malformed.key, time=datetime.now(UTC),
        )  # fmt: skip
        body = json.dumps({"unexpected": "shape"}).encode()
        out.append((topic, malformed.key.encode(), body,
                    [(k, v.encode()) for k, v in attrs.items()]))  # fmt: skip
    return out


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
    poison = _poison(s)
    await _send(servers, [(r.topic, r.key, r.value, list(r.headers)) for r in again] + poison)
    return start, time.monotonic()


async def test_a_duplicate_storm_and_poison_on_every_topic_change_nothing_but_the_dlq(
    scenario: Scenario,
) -> None:
    scenario.name = "duplicate storm + poison on every topic"

    result = await scenario.run(_storm_and_poison)

    assert result.violations == []
    assert len(scenario.poison) == 2 * len(LOGICAL_TOPICS)
    assert result.duplicates_dropped >= scenario.notes["drops_expected"]
