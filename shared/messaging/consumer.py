"""The consumer loop: at-least-once delivery, exactly-once effects.

For each record, in partition order: lock the partition's offset row and check the offset ->
advance it -> insert the inbox row `(consumer, ce_id)` (duplicate: skip the effect) -> run the
reaction -> commit (`applier.py`). The offset lives in the service's own schema and is
committed in the SAME transaction as the effect, inbox row and any outbox rows (ADR 0003), so
a crash at any point either applied all of it or none of it.

The pieces: partitions are leased among instances with advisory locks (`leases.py`), offsets
(`offsets.py`), the inbox (`inbox.py`), the retry policy (`handling.py`) and dead-lettering
(`dead_letters.py`). This module runs the session: connect, lease, assign, fetch, hand over.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.auth.principal import system_actor
from shared.db.platform_tables import PlatformTables
from shared.messaging.applier import Applier, Reaction, UowFactory
from shared.messaging.backoff import Backoff, sleep_or_stop
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.envelope import IntegrationEvent
from shared.messaging.failures import Stopping, is_kafka_error, is_transient
from shared.messaging.handling import RecordHandler
from shared.messaging.inbox import Inbox
from shared.messaging.kafka import make_consumer, physical_topic
from shared.messaging.leases import Partition, PartitionLeases
from shared.messaging.offsets import OffsetStore
from shared.observability import get_logger
from shared.settings import PlatformSettings

log = get_logger("messaging.consumer")

__all__ = ["EventConsumer", "Reaction", "UowFactory"]


def _tp(p: Partition) -> TopicPartition:
    return TopicPartition(p.topic, p.partition)


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        schema: str,
        dsn: str,
        platform: PlatformSettings,
        tables: PlatformTables,
        uow_factory: UowFactory,
        reactions: Mapping[type[IntegrationEvent], Reaction],
        retry_attempts: int = 3,
        retry_backoff_seconds: float = 0.2,
        batch_size: int = 200,
        rebalance_seconds: float = 1.0,
        transaction_size: int = 50,
    ) -> None:
        self.name = name
        self.schema = schema
        self.dsn = dsn
        self.platform = platform
        self.topics = sorted(
            {physical_topic(m.TOPIC, platform.kafka_topic_prefix) for m in reactions}
        )
        self.batch_size = batch_size
        self.rebalance_seconds = rebalance_seconds
        self.transaction_size = transaction_size
        self.offsets = OffsetStore(name, tables)
        self.applier = Applier(
            name=name, actor=system_actor(name), uow_factory=uow_factory, reactions=reactions,
            offsets=self.offsets, inbox=Inbox(name, tables),
        )  # fmt: skip
        self.dead_letters = DeadLetters(name, platform)
        self.handler = RecordHandler(
            name=name, applier=self.applier, dead_letters=self.dead_letters,
            retry_attempts=retry_attempts, retry_backoff_seconds=retry_backoff_seconds,
        )  # fmt: skip
        self.owned: set[Partition] = set()

    async def run(self, stop: asyncio.Event) -> None:
        if not self.topics:
            return
        backoff = Backoff(initial=0.2, maximum=5.0)
        try:
            while not stop.is_set():
                try:
                    await self._session(stop, backoff)
                except Stopping:
                    return
                except Exception as exc:
                    if not is_transient(exc) and not is_kafka_error(exc):
                        log.exception("consumer.crashed", consumer=self.name)
                    else:
                        log.warning(
                            "consumer.reconnecting", consumer=self.name, error=type(exc).__name__
                        )
                    self.owned = set()
                    await sleep_or_stop(stop, backoff.next())
        finally:
            await self.dead_letters.close()

    async def _session(self, stop: asyncio.Event, backoff: Backoff) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(
            self.dsn,
            server_settings={
                "search_path": self.schema,
                "application_name": f"imet-{self.name}-consumer",
            },
        )
        kafka = make_consumer(self.platform, client_id=f"imet-{self.name}-consumer")
        try:
            leases = PartitionLeases(conn, self.name)
            await leases.join()
            await asyncio.wait_for(
                kafka.start(), timeout=self.platform.kafka_request_timeout_ms / 1000
            )
            partitions = await self._partitions(kafka, stop)
            log.info("consumer.started", consumer=self.name, topics=self.topics, slot=leases.slot)
            next_rebalance = 0.0
            while not stop.is_set():
                if time.monotonic() >= next_rebalance:
                    acquired, released = await leases.rebalance(partitions)
                    if acquired or released:
                        await self._assign(kafka, conn, leases.owned, acquired)
                        log.info(
                            "consumer.assigned", consumer=self.name, partitions=len(leases.owned)
                        )
                    self.owned = set(leases.owned)
                    next_rebalance = time.monotonic() + self.rebalance_seconds
                if not leases.owned:
                    await sleep_or_stop(stop, self.rebalance_seconds)
                    continue
                batches = await kafka.getmany(timeout_ms=200, max_records=self.batch_size)
                for tp, records in batches.items():
                    for i in range(0, len(records), self.transaction_size):
                        if stop.is_set():
                            raise Stopping
                        chunk = records[i : i + self.transaction_size]
                        await self.handler.handle_batch(tp, chunk, stop)
                backoff.reset()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(kafka.stop(), timeout=5)
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def _partitions(self, kafka: AIOKafkaConsumer, stop: asyncio.Event) -> list[Partition]:
        """All partitions of our topics; waits until the topics exist."""
        while True:
            await kafka._client.force_metadata_update()
            found: list[Partition] = []
            missing = []
            for topic in self.topics:
                parts = kafka.partitions_for_topic(topic)
                if not parts:
                    missing.append(topic)
                found.extend(Partition(topic, p) for p in parts or ())
            if not missing:
                return found
            log.warning("consumer.waiting_for_topics", consumer=self.name, missing=missing)
            if await sleep_or_stop(stop, 1.0):
                raise Stopping

    async def _assign(
        self,
        kafka: AIOKafkaConsumer,
        conn: asyncpg.Connection,
        owned: set[Partition],
        acquired: set[Partition],
    ) -> None:
        kafka.assign([_tp(p) for p in sorted(owned)])
        if not acquired:
            return
        tps = [_tp(p) for p in sorted(acquired)]
        ends = await kafka.end_offsets(tps)
        for tp in tps:
            stored = await self.offsets.stored(conn, tp)
            if stored > ends[tp]:
                # The log is shorter than what we applied: the broker lost its data (dev broker
                # restarted). Start over from the beginning; the inbox drops what we already saw.
                log.warning("consumer.offset_beyond_end", consumer=self.name, topic=tp.topic,
                            partition=tp.partition, stored=stored, end=ends[tp])  # fmt: skip
                await self.offsets.reset(conn, tp)
                stored = 0
            kafka.seek(tp, stored)
