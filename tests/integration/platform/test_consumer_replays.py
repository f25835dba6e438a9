"""What a consumer reads again, and what it never does twice: rebalances, replays, poison."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiokafka import TopicPartition
from prometheus_client import REGISTRY

from shared.messaging.kafka import dlq_topic, physical_topic
from shared.runner import build_consumer
from tests.helpers.fixtures import running
from tests.helpers.kafka import produce, read_all
from tests.helpers.waiting import eventually
from tests.integration.platform.test_consumer import _all_with_prefix, _effects, _owned, _record
from tests.platform_probe.service import ThingHappenedV1


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _rereads() -> float:
    return _metric("imet_consumer_records_reread_total", consumer="probe")


async def test_an_instance_joining_costs_no_rereads_of_the_partitions_the_first_one_keeps(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    prefix = f"join-{uuid.uuid4().hex[:8]}"
    keys = [f"{prefix}-{i}" for i in range(16)]
    first, second = build_consumer(runtime), build_consumer(runtime)

    async with running(first.run):
        await eventually(lambda: _owned(first), lambda o: o[0] == 4, timeout=20)
        await produce(topic, [_record(k, v) for v in range(5) for k in keys])
        await eventually(lambda: _all_with_prefix(runtime, prefix), lambda r: len(r) == 80)
        before = _rereads()
        async with running(second.run):
            await eventually(lambda: _owned(first, second), lambda o: o == (2, 2), timeout=30)
            await produce(topic, [_record(k, v) for v in range(5, 8) for k in keys])
            rows = await eventually(
                lambda: _all_with_prefix(runtime, prefix), lambda r: len(r) == 128, timeout=30
            )
    reread = _rereads() - before

    assert len(rows) == 128
    # Everything was committed before the join, so the uncommitted window is empty: a kept
    # partition continues where it was and an acquired one starts at the stored offset.
    assert reread == 0, f"{reread:.0f} records re-read in one rebalance"


async def test_replayed_records_behind_the_stored_offset_are_never_dead_lettered_again(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"replay-{uuid.uuid4()}"
    healthy = _record(key, 2)
    await produce(topic, [(key.encode(), b"{not json", []), _record(key, 1, fail=True), healthy])
    consumer = build_consumer(runtime)
    async with running(consumer.run):
        await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) == 1)
    dead_before = await _dead(topic, key)
    records = [r for r in await read_all(topic) if r.key == key.encode()]
    tp = TopicPartition(topic, records[0].partition)

    # The same records delivered again, as a rewound fetch position would deliver them.
    await consumer.handler.handle_batch(tp, records, asyncio.Event())
    for record in records:
        await consumer.handler.handle_batch(tp, [record], asyncio.Event())

    assert len(dead_before) == 2
    assert len(await _dead(topic, key)) == 2
    assert [e.value for e in await _effects(runtime, key)] == [2]


async def test_a_poison_event_sent_again_at_a_later_offset_is_dead_lettered_once(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"resent-{uuid.uuid4()}"
    bad_id, failing_id = str(uuid.uuid4()), str(uuid.uuid4())
    k, _, headers = _record(key, 1, event_id=bad_id)
    bad_body = (k, json.dumps({"key": key, "value": "not a number"}).encode(), headers)
    failing = _record(key, 2, event_id=failing_id, fail=True)
    await produce(topic, [bad_body, failing, _record(key, 3)])

    async with running(build_consumer(runtime).run):
        await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) == 1)
        await produce(topic, [bad_body, failing, _record(key, 4)])  # a producer's re-send
        effects = await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) == 2)
    dead = await _dead(topic, key)

    assert [e.value for e in effects] == [3, 4]
    assert sorted(_ce_id(r) for r in dead) == sorted([bad_id, failing_id])


async def _dead(topic: str, key: str) -> list[Any]:
    return [r for r in await read_all(dlq_topic(topic)) if r.key == key.encode()]


def _ce_id(record: Any) -> str:
    return dict(record.headers)["ce_id"].decode()


async def test_a_restarted_consumer_does_not_replay_a_log_whose_list_offsets_answer_lags(
    make_runtime: Any, topic_prefix: str
) -> None:
    """Tansu answers ListOffsets with the last batch's base offset + 1 (ENVIRONMENT.md): after
    a batch of many records, a stored offset past that answer looked "beyond the end" and the
    partition was replayed from 0 on every consumer restart. The fetched high watermark decides."""
    from aiokafka import AIOKafkaProducer

    from tests.helpers.kafka import bootstrap, end_offsets

    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"batch-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap(), acks="all", linger_ms=200)
    await producer.start()
    try:  # one batch: every send is buffered before the first goes out
        sent = [
            await producer.send(topic, key=k, value=v, headers=h)
            for k, v, h in (_record(key, i) for i in range(30))
        ]
        await producer.flush()
        partition = (await sent[-1]).partition
    finally:
        await producer.stop()

    async with running(build_consumer(runtime).run):
        await eventually(lambda: _effects(runtime, key), lambda r: len(r) == 30, timeout=30)
    from aiokafka import AIOKafkaConsumer

    c = AIOKafkaConsumer(bootstrap_servers=bootstrap())
    await c.start()
    print(
        "DEBUG listoffsets",
        await c.end_offsets([TopicPartition(topic, partition)]),
        "fetched",
        await end_offsets([topic]),
        "stored",
        await _stored_offset(runtime, topic, partition),
    )
    await c.stop()
    duplicates_before = _metric("imet_events_duplicate_total", consumer="probe")
    second = build_consumer(runtime)
    async with running(second.run):  # a new session starts from the store
        await eventually(lambda: _owned(second), lambda o: o[0] == 4, timeout=20)
        await produce(topic, [_record(key, 30)])
        rows = await eventually(lambda: _effects(runtime, key), lambda r: len(r) == 31, timeout=30)
        tp = TopicPartition(topic, partition)
        end = (await end_offsets([topic]))[tp]
        stored = await eventually(
            lambda: _stored_offset(runtime, topic, partition), lambda o: o == end, timeout=20
        )

    assert [r.value for r in rows] == list(range(31))
    assert stored == end
    # Nothing of the partition was delivered again: a replay from 0 would drop every record
    # of the partition as a duplicate (at least the 30 of the batch).
    assert _metric("imet_events_duplicate_total", consumer="probe") - duplicates_before == 0


async def _stored_offset(runtime: Any, topic: str, partition: int) -> int:
    from sqlalchemy import text

    async with runtime.sessions() as s:
        value = await s.scalar(
            text(
                "SELECT next_offset FROM consumer_offset"
                " WHERE consumer = 'probe' AND topic = :t AND partition = :p"
            ),
            {"t": topic, "p": partition},
        )
        return int(value or 0)
