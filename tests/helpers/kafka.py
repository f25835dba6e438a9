"""Read and write topics directly, as an outside event consumer would."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from tests.helpers.infra import bootstrap_servers
from tests.helpers.timing import scaled


def bootstrap() -> str:
    return bootstrap_servers()


async def read_all(topic: str, *, servers: str | None = None) -> list[ConsumerRecord[Any, Any]]:
    """Every record currently in `topic`, partition by partition."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers or bootstrap(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            await consumer._client.force_metadata_update()
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return []
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            consumer.seek(tp, 0)
        records: list[ConsumerRecord[Any, Any]] = []
        remaining = {tp for tp in tps if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, recs in batch.items():
                records.extend(recs)
                if recs and recs[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        return records
    finally:
        await consumer.stop()


async def end_offsets(
    topics: list[str], *, servers: str | None = None
) -> dict[TopicPartition, int]:
    """The true end of each partition of `topics`: the high watermark of a fetch response.

    Not `end_offsets()` (ListOffsets): the dev broker (Tansu 0.6) answers it with the last
    batch's base offset + 1, short of the records it serves when that batch held several
    (ENVIRONMENT.md). A fetch from there returns the rest and the real high watermark.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=servers or bootstrap(), group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        tps = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not tps:
            return {}
        reported = await consumer.end_offsets(tps)
        consumer.assign(tps)
        for tp in tps:
            consumer.seek(tp, max(reported[tp] - 1, 0))
        deadline = time.monotonic() + scaled(30)
        while any(consumer.highwater(tp) is None for tp in tps):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no fetch response for some partitions of {topics}")
            await consumer.getmany(timeout_ms=200)
        return {tp: int(consumer.highwater(tp) or 0) for tp in tps}
    finally:
        await consumer.stop()


async def wait_for_records(
    topic: str, count: int, *, timeout: float = 20.0, servers: str | None = None
) -> list[ConsumerRecord[Any, Any]]:
    deadline = time.monotonic() + scaled(timeout)
    while True:
        records = await read_all(topic, servers=servers)
        if len(records) >= count or time.monotonic() > deadline:
            return records
        await asyncio.sleep(0.2)


async def produce(
    topic: str,
    records: list[tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]],
    *,
    servers: str | None = None,
) -> None:
    """Send raw (key, value, headers) records and wait for the acks."""
    producer = AIOKafkaProducer(
        bootstrap_servers=servers or bootstrap(), acks="all", enable_idempotence=False
    )
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


def headers_of(record: ConsumerRecord[Any, Any]) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}
