"""Failures while applying a record: bounded when the record is at fault, and what the DLQ says."""

from __future__ import annotations

import uuid
from typing import Any

from prometheus_client import REGISTRY

from shared.messaging.kafka import dlq_topic, physical_topic
from shared.runner import build_consumer
from tests.helpers.fixtures import running
from tests.helpers.kafka import headers_of, produce, read_all
from tests.helpers.waiting import eventually
from tests.integration.platform.test_consumer import _effects, _record
from tests.platform_probe.service import ThingHappenedV1


def _stalling(key: str, value: int) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    k, body, headers = _record(key, value)
    return k, body.replace(b'"fail": false', b'"fail": false, "stall": true'), headers


async def _dead(topic: str, key: str) -> list[Any]:
    return [r for r in await read_all(dlq_topic(topic)) if r.key == key.encode()]


async def test_a_reaction_that_always_times_out_is_dead_lettered_and_the_partition_moves_on(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"stall-{uuid.uuid4()}"
    await produce(topic, [_stalling(key, 1), _record(key, 2)])
    consumer = build_consumer(runtime)
    consumer.handler.transient_attempts = 3
    retries_before = REGISTRY.get_sample_value(
        "imet_consumer_retries_total", {"consumer": "probe", "kind": "transient"}
    )

    async with running(consumer.run):
        effects = await eventually(
            lambda: _effects(runtime, key), lambda rows: len(rows) == 1, timeout=40
        )
    dead = await _dead(topic, key)
    retries = REGISTRY.get_sample_value(
        "imet_consumer_retries_total", {"consumer": "probe", "kind": "transient"}
    )

    assert [e.value for e in effects] == [2]
    assert len(dead) == 1
    assert headers_of(dead[0])["x-dlq-error-code"] == "sqlstate.57014"
    assert headers_of(dead[0])["x-dlq-attempts"] == "3"
    assert (retries or 0) - (retries_before or 0) >= 2


async def test_dead_letter_headers_carry_a_class_and_a_code_never_the_database_message(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"secret-{uuid.uuid4()}"
    k, body, headers = _record(key, 1)
    echoing = (k, body.replace(b'"fail": false', b'"fail": false, "cast_key": true'), headers)
    await produce(topic, [echoing, _record(key, 2)])

    async with running(build_consumer(runtime).run):
        await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) == 1)
    dead = await _dead(topic, key)

    assert len(dead) == 1
    dlq_headers = {n: v for n, v in headers_of(dead[0]).items() if n.startswith("x-dlq-")}
    assert dlq_headers["x-dlq-error-code"] == "sqlstate.22P02"
    assert dlq_headers["x-dlq-error-type"] == "InvalidTextRepresentationError"
    assert not any(key in value for value in dlq_headers.values()), dlq_headers
    assert not any("invalid input" in value for value in dlq_headers.values()), dlq_headers
