"""The consumer loop: inbox, offsets in the service's schema, retries, dead letters."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, select

from shared.contracts.envelope import build_headers
from shared.messaging.kafka import dlq_topic, physical_topic
from shared.runner import build_consumer
from tests.helpers.fixtures import running
from tests.helpers.kafka import headers_of, produce, read_all
from tests.helpers.waiting import eventually
from tests.platform_probe.service import ThingHappenedV1, probe_effect


def _record(
    key: str, value: int, *, event_id: str | None = None, fail: bool = False
) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    from datetime import UTC, datetime

    headers = build_headers(
        event_id=event_id or str(uuid.uuid4()),
        event_type=ThingHappenedV1.TYPE,
        source="/imet/test",
        subject=key,
        time=datetime.now(UTC),
    )
    body = json.dumps({"key": key, "value": value, "fail": fail}).encode()
    return key.encode(), body, [(k, v.encode()) for k, v in headers.items()]


async def _effects(runtime: Any, key: str) -> list[Any]:
    async with runtime.sessions() as s:
        rows = await s.execute(
            select(probe_effect).where(probe_effect.c.key == key).order_by(probe_effect.c.id)
        )
        return list(rows)


async def test_same_event_delivered_twice_changes_state_once(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key, event_id = f"dup-{uuid.uuid4()}", str(uuid.uuid4())
    await produce(
        topic,
        [_record(key, 1, event_id=event_id), _record(key, 1, event_id=event_id), _record(key, 2)],
    )

    async with running(build_consumer(runtime).run):
        effects = await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) >= 2)
        await _settle(runtime, topic, [key])
        effects = _real(await _effects(runtime, key))

    assert (effects[0].event_id, effects[0].value) == (event_id, 1)
    assert [e.value for e in effects] == [1, 2]


SENTINEL = -1


async def _settle(runtime: Any, topic: str, keys: list[str]) -> None:
    """Nothing more is coming for these keys: a sentinel produced after their records (same key,
    so the same partition, applied in order) has been applied, so any duplicate effect of the
    earlier records would already be visible."""
    await produce(topic, [_record(k, SENTINEL) for k in keys])

    async def sentinels() -> int:
        seen = 0
        for k in keys:
            seen += any(r.value == SENTINEL for r in await _effects(runtime, k))
        return seen

    assert await eventually(sentinels, lambda seen: seen == len(keys)) == len(keys)


def _real(rows: list[Any]) -> list[Any]:
    return [r for r in rows if r.value != SENTINEL]


async def test_poison_message_is_dead_lettered_and_the_partition_keeps_flowing(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"poison-{uuid.uuid4()}"
    not_a_cloudevent = (key.encode(), b"{not json", [])
    failing = _record(key, 1, fail=True)
    healthy = _record(key, 2)
    await produce(topic, [not_a_cloudevent, failing, healthy])

    async with running(build_consumer(runtime).run):
        effects = await eventually(
            lambda: _effects(runtime, key), lambda rows: any(r.value == 2 for r in rows)
        )
    dead = [r for r in await read_all(dlq_topic(topic)) if r.key == key.encode()]

    assert [e.value for e in effects] == [2]  # the failing reaction rolled back its own effect
    assert len(dead) == 2
    reasons = {headers_of(r)["x-dlq-error-type"] for r in dead}
    assert reasons == {"PoisonMessage", "RuntimeError"}
    failed = next(r for r in dead if headers_of(r)["x-dlq-error-type"] == "RuntimeError")
    assert headers_of(failed)["x-dlq-attempts"] == "3"
    assert headers_of(failed)["x-dlq-original-topic"] == topic
    assert headers_of(failed)["ce_type"] == ThingHappenedV1.TYPE


async def test_restarted_consumer_resumes_after_the_last_applied_event(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"resume-{uuid.uuid4()}"
    await produce(topic, [_record(key, i) for i in range(5)])
    async with running(build_consumer(runtime).run):
        await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) == 5)

    await produce(topic, [_record(key, i) for i in range(5, 8)])
    async with running(build_consumer(runtime).run):
        effects = await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) == 8)

    assert [e.value for e in effects] == list(range(8))


async def test_two_instances_share_the_partitions_and_apply_each_event_once(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    prefix = f"pair-{uuid.uuid4()}"
    keys = [f"{prefix}-{i}" for i in range(20)]
    first, second = build_consumer(runtime), build_consumer(runtime)

    async with running(first.run, second.run):
        await eventually(lambda: _owned(first, second), lambda o: o[0] > 0 and o[1] > 0, timeout=10)
        await produce(topic, [_record(k, v) for v in range(10) for k in keys])
        rows = await eventually(
            lambda: _all_with_prefix(runtime, prefix), lambda r: len(r) >= 200, timeout=30
        )
        await _settle(runtime, topic, keys)
        rows = _real(await _all_with_prefix(runtime, prefix))

    assert len(rows) == 200
    assert len({r.event_id for r in rows}) == 200
    for k in keys:
        assert [r.value for r in rows if r.key == k] == list(range(10))


async def _owned(*consumers: Any) -> tuple[int, ...]:
    return tuple(len(c.owned) for c in consumers)


async def _all_with_prefix(runtime: Any, prefix: str) -> list[Any]:
    async with runtime.sessions() as s:
        rows = await s.execute(
            select(probe_effect)
            .where(probe_effect.c.key.like(f"{prefix}-%"))
            .order_by(probe_effect.c.id)
        )
        return list(rows)


async def test_unknown_event_type_is_skipped(make_runtime: Any, topic_prefix: str) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"unknown-{uuid.uuid4()}"
    k, v, headers = _record(key, 1)
    unknown = [
        (name, b"imet.probe.something_else.v1" if name == "ce_type" else val)
        for name, val in headers
    ]
    await produce(topic, [(k, v, unknown), _record(key, 2)])

    async with running(build_consumer(runtime).run):
        effects = await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) >= 1)

    assert [e.value for e in effects] == [2]
    async with runtime.sessions() as s:
        count = (
            await s.execute(
                select(func.count()).select_from(probe_effect).where(probe_effect.c.key == key)
            )
        ).scalar_one()
    assert count == 1


async def test_a_batch_with_a_repeated_id_and_a_failing_reaction_applies_the_rest_exactly_once(
    make_runtime: Any, topic_prefix: str
) -> None:
    from aiokafka import AIOKafkaProducer

    from tests.helpers.kafka import bootstrap

    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key, repeated = f"batch-{uuid.uuid4()}", str(uuid.uuid4())
    records = [_record(key, 1, event_id=repeated), _record(key, 1, event_id=repeated)]
    records += [_record(key, 2), _record(key, 3, fail=True), _record(key, 4)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap(), linger_ms=50)
    await producer.start()
    for k, v, h in records:  # one producer batch: the consumer sees them in one fetch
        await producer.send(topic, value=v, key=k, headers=h)
    await producer.flush()
    await producer.stop()

    async with running(build_consumer(runtime).run):
        effects = await eventually(
            lambda: _effects(runtime, key), lambda rows: any(r.value == 4 for r in rows)
        )
        await _settle(runtime, topic, [key])
        effects = _real(await _effects(runtime, key))

    assert [e.value for e in effects] == [1, 2, 4]
