"""Records produced straight to the topics: poison, and copies of records already consumed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.contracts.envelope import build_headers
from shared.messaging.kafka import LOGICAL_TOPICS
from tests.faults.invariants import Consumes, Poison

Raw = tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]


async def send(servers: str, records: list[Raw]) -> None:
    """Produce raw (topic, key, value, headers) records and wait for every ack."""
    producer = AIOKafkaProducer(bootstrap_servers=servers, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, key=key, value=value, headers=headers)
            for topic, key, value, headers in records
        ]
        for future in futures:
            await future
    finally:
        await producer.stop()


def poison_records(consumes: Consumes, *, malformed: bool = True) -> tuple[list[Poison], list[Raw]]:
    """Per topic: a record that is no CloudEvent at all and (`malformed`) a CloudEvent of a
    type some consumer reacts to whose body fails the event model. Keys `poison-<uuid>`."""
    found: list[Poison] = []
    raw: list[Raw] = []
    for topic in LOGICAL_TOPICS:
        garbage = Poison(topic, f"poison-{uuid.uuid4()}", None)
        found.append(garbage)
        raw.append((topic, garbage.key.encode(), b"\xff not json", []))
        if not malformed:
            continue
        handled = sorted(set().union(*(c.get(topic, set()) for c in consumes.values())))
        bad = Poison(topic, f"poison-{uuid.uuid4()}", handled[0])
        found.append(bad)
        attrs = build_headers(
            event_id=str(uuid.uuid4()), event_type=handled[0], source="/fault-suite",
            subject=bad.key, time=datetime.now(UTC),
        )  # fmt: skip
        body: dict[str, Any] = {"unexpected": "shape"}
        raw.append((topic, bad.key.encode(), json.dumps(body).encode(),
                    [(k, v.encode()) for k, v in attrs.items()]))  # fmt: skip
    return found, raw
