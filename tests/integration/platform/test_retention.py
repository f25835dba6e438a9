"""The retention job: published outbox rows and covered inbox rows go, nothing a replay needs."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka import TopicPartition
from sqlalchemy import text

from shared.auth.principal import system_actor
from shared.messaging.kafka import physical_topic
from shared.messaging.locks import lock_key
from shared.messaging.retention import RetentionPolicy, prune_once
from shared.runner import build_consumer
from tests.helpers.fixtures import running
from tests.helpers.kafka import produce, read_all
from tests.helpers.waiting import eventually
from tests.integration.platform.test_consumer import _effects, _record
from tests.platform_probe.service import ThingHappenedV1, record_things

ACTOR = system_actor("retention-test")
POLICY = RetentionPolicy(outbox_days=7, inbox_days=14, batch_size=2)


async def _sql(runtime: Any, statement: str, **params: Any) -> list[Any]:
    async with runtime.sessions() as s:
        result = await s.execute(text(statement), params)
        rows = list(result) if result.returns_rows else []
        await s.commit()
        return rows


async def test_published_outbox_rows_past_the_retention_go_and_every_other_row_stays(
    make_runtime: Any,
) -> None:
    runtime = await make_runtime("probe")
    run = uuid.uuid4().hex[:8]
    async with runtime.uow(ACTOR) as uow:
        await record_things(uow, [(f"{run}-{name}", 1) for name in ("old", "recent", "waiting")])
    await _sql(runtime, "UPDATE outbox SET published_at = now() - interval '8 days' "
               "WHERE aggregateid = :k", k=f"{run}-old")  # fmt: skip
    await _sql(runtime, "UPDATE outbox SET published_at = now() - interval '1 day' "
               "WHERE aggregateid = :k", k=f"{run}-recent")  # fmt: skip
    await _sql(runtime, "UPDATE outbox SET created_at = now() - interval '30 days' "
               "WHERE aggregateid = :k", k=f"{run}-waiting")  # fmt: skip

    deleted = await prune_once(runtime, POLICY)
    left = await _sql(runtime, "SELECT aggregateid FROM outbox WHERE aggregateid LIKE :p",
                      p=f"{run}-%")  # fmt: skip

    assert deleted is not None
    assert deleted["outbox"] >= 1
    assert sorted(r.aggregateid for r in left) == [f"{run}-recent", f"{run}-waiting"]


async def test_inbox_rows_go_only_where_their_partition_was_consumed_well_past_them(
    make_runtime: Any,
) -> None:
    runtime = await make_runtime("probe")
    consumer, topic = f"retention-{uuid.uuid4().hex[:8]}", "imet.probe.events"
    for partition, consumed_days_ago in ((0, 1), (1, 19)):
        await _sql(runtime, "INSERT INTO consumer_offset (consumer, topic, partition, next_offset,"
                   " record_time) VALUES (:c, :t, :p, 100, now() - make_interval(days => :d))",
                   c=consumer, t=topic, p=partition, d=consumed_days_ago)  # fmt: skip
    rows = [("covered", 0, 20), ("partition-behind", 1, 20), ("recent", 0, 1), ("legacy", None, 20)]
    for message_id, partition, days_ago in rows:
        await _sql(runtime, "INSERT INTO inbox (consumer, message_id, event_type, received_at,"
                   " topic, partition) VALUES (:c, :m, 'x', now() - make_interval(days => :d),"
                   " :t, :p)", c=consumer, m=message_id, d=days_ago,
                   t=None if partition is None else topic, p=partition)  # fmt: skip

    await prune_once(runtime, POLICY)
    left = await _sql(runtime, "SELECT message_id FROM inbox WHERE consumer = :c", c=consumer)

    assert sorted(r.message_id for r in left) == ["partition-behind", "recent"]


async def test_a_second_runner_skips_the_round_while_another_holds_the_lock(
    make_runtime: Any,
) -> None:
    runtime = await make_runtime("probe")

    async with runtime.sessions() as holder:
        await holder.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key("retention:probe")}
        )
        skipped = await prune_once(runtime, POLICY)
        await holder.rollback()
    ran = await prune_once(runtime, POLICY)

    assert skipped is None
    assert ran is not None


async def test_a_replay_of_records_whose_inbox_rows_were_pruned_applies_nothing_again(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"pruned-{uuid.uuid4()}"
    await produce(topic, [_record(key, v) for v in range(3)])
    consumer = build_consumer(runtime)
    async with running(consumer.run):
        await eventually(lambda: _effects(runtime, key), lambda rows: len(rows) == 3)
    records = [r for r in await read_all(topic) if r.key == key.encode()]
    ids = [dict(r.headers)["ce_id"].decode() for r in records]
    await _sql(runtime, "UPDATE inbox SET received_at = received_at - interval '30 days'"
               " WHERE message_id = ANY(:ids)", ids=ids)  # fmt: skip
    await _sql(runtime, "UPDATE consumer_offset SET record_time = now() WHERE consumer = 'probe'")

    await prune_once(runtime, POLICY)
    left = await _sql(runtime, "SELECT 1 FROM inbox WHERE message_id = ANY(:ids)", ids=ids)
    await consumer.handler.handle_batch(
        TopicPartition(topic, records[0].partition), records, asyncio.Event()
    )

    assert left == []
    assert [e.value for e in await _effects(runtime, key)] == [0, 1, 2]
