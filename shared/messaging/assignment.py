"""Which partitions exist, and where each assigned partition starts.

aiokafka's `assign()` rebuilds the state of EVERY partition, so a partition this instance keeps
across a rebalance would restart from `auto_offset_reset` (the log's start) and re-read the
whole log, the offset check discarding it record by record (issue 10 #1). So the consumer keeps
its own position per partition (the next offset it will process) and seeks every kept
partition back to it after `assign()`; only newly acquired partitions (and any whose position
is unknown) start at their stored offset. Records re-read because the stored offset already
covers them are counted (`imet_consumer_records_reread_total`).
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.messaging.backoff import sleep_or_stop
from shared.messaging.connections import LockConnection
from shared.messaging.failures import Stopping
from shared.messaging.leases import Partition
from shared.messaging.offsets import LogEnds, OffsetStore, start_offsets
from shared.observability import get_logger

log = get_logger("messaging.consumer")


def _tp(p: Partition) -> TopicPartition:
    return TopicPartition(p.topic, p.partition)


async def topic_partitions(
    kafka: AIOKafkaConsumer, consumer: str, topics: list[str], stop: asyncio.Event
) -> list[Partition]:
    """All partitions of our topics; waits until the topics exist."""
    while True:
        await kafka._client.force_metadata_update()
        found: list[Partition] = []
        missing = []
        for topic in topics:
            parts = kafka.partitions_for_topic(topic)
            if not parts:
                missing.append(topic)
            found.extend(Partition(topic, p) for p in parts or ())
        if not missing:
            return found
        log.warning("consumer.waiting_for_topics", consumer=consumer, missing=missing)
        if await sleep_or_stop(stop, 1.0):
            raise Stopping


async def assign(
    kafka: AIOKafkaConsumer,
    offsets: OffsetStore,
    locks: LockConnection,
    owned: set[Partition],
    acquired: set[Partition],
    positions: dict[Partition, int],
    *,
    log_ends: LogEnds | None = None,
) -> None:
    """Assign `owned`; kept partitions continue at `positions`, the others start at the stored
    offset. `positions` is updated in place (released partitions are forgotten)."""
    for p in set(positions) - (owned - acquired):
        del positions[p]
    fresh = sorted(p for p in owned if p not in positions)
    positions.update(await start_offsets(offsets, kafka, locks, fresh, log_ends=log_ends))
    # No await between assign() and the seeks: the fetch routine must never see a partition
    # without a position (it would ask the broker to reset it to the log's start).
    kafka.assign([_tp(p) for p in sorted(owned)])
    for p in sorted(owned):
        kafka.seek(_tp(p), positions[p])
