"""The consumer loop: at-least-once delivery, exactly-once effects.

For each run of records of a partition: lock the partition's offset row and drop what it
covers -> decode -> store the offset -> insert the inbox rows (duplicates stop here) -> run the
reactions -> commit (`applier.py`). The offset lives in the service's own schema and is
committed in the SAME transaction as the effects, inbox rows and outbox rows (ADR 0003), so a
crash at any point either applied all of it or none of it.

The pieces: partition leases among instances (`leases.py`) on a watched lock connection
(`connections.py`), offsets (`offsets.py`), the inbox (`inbox.py`), the retry policy
(`handling.py`), dead-lettering (`dead_letters.py`) and idle pausing (`idle.py`). This module
runs the session: connect, lease, assign, fetch, pause when idle, hand over.

A rebalance keeps the fetch position of every partition this instance keeps (`assign()` in
aiokafka rebuilds all partition state, which would restart them from the log's start); only a
newly acquired partition starts at its stored offset (ADR 0050).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer

from shared.auth.principal import system_actor
from shared.contracts.envelope import IntegrationEvent
from shared.db.platform_tables import PlatformTables
from shared.messaging.applier import Applier, Reaction, UowFactory
from shared.messaging.assignment import assign, topic_partitions
from shared.messaging.backoff import Backoff, sleep_or_stop, wait_any
from shared.messaging.broker_health import BrokerProbe
from shared.messaging.connections import LockConnection, LockTimings
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.failures import LeaseLost, Stopping, is_infrastructure, is_kafka_error
from shared.messaging.handling import RecordHandler
from shared.messaging.idle import PUBLISHED_CHANNEL, IdleFetching
from shared.messaging.inbox import Inbox
from shared.messaging.kafka import fetched_log_ends, make_consumer, physical_topic
from shared.messaging.leases import LEASES_CHANNEL, Partition, PartitionLeases
from shared.messaging.metrics import BROKER_UP
from shared.messaging.offsets import OffsetStore
from shared.observability import get_logger
from shared.settings import PlatformSettings

log = get_logger("messaging.consumer")

__all__ = ["EventConsumer", "Reaction", "UowFactory"]
BROKER_CHECK_SECONDS = 15.0


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
        transient_attempts: int = 8,
        batch_size: int = 200,
        rebalance_seconds: float = 5.0,
        transaction_size: int = 200,
        idle_pause_seconds: float = 0.5,
        idle_poll_seconds: float = 5.0,
        heartbeat_seconds: float = 2.0,
        session_timeout_seconds: float = 10.0,
    ) -> None:
        self.name, self.schema, self.dsn, self.platform = name, schema, dsn, platform
        self.topics = sorted(
            {physical_topic(m.TOPIC, platform.kafka_topic_prefix) for m in reactions}
        )
        self.batch_size = batch_size
        self.rebalance_seconds = rebalance_seconds
        self.transaction_size = transaction_size
        self.idle_pause_seconds, self.idle_poll_seconds = idle_pause_seconds, idle_poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.session_timeout_seconds = session_timeout_seconds
        self.offsets = OffsetStore(name, tables)
        self.applier = Applier(
            name=name, actor=system_actor(name), uow_factory=uow_factory, reactions=reactions,
            offsets=self.offsets, inbox=Inbox(name, tables),
        )  # fmt: skip
        self.dead_letters = DeadLetters(name, platform)
        self.handler = RecordHandler(
            name=name, applier=self.applier, dead_letters=self.dead_letters,
            retry_attempts=retry_attempts, retry_backoff_seconds=retry_backoff_seconds,
            transient_attempts=transient_attempts,
        )  # fmt: skip
        self.owned: set[Partition] = set()
        self.paused = False  # fetching stopped while idle (visible for tests and metrics)

    async def run(self, stop: asyncio.Event) -> None:
        if not self.topics:
            return
        backoff = Backoff(initial=0.2, maximum=5.0)
        probe = BrokerProbe(self.platform, cache_seconds=BROKER_CHECK_SECONDS)
        try:
            while not stop.is_set():
                try:
                    await self._session(stop, backoff, probe)
                except Stopping:
                    return
                except Exception as exc:
                    if is_infrastructure(exc) or is_kafka_error(exc):
                        log.warning(
                            "consumer.reconnecting", consumer=self.name, error=type(exc).__name__
                        )
                    else:
                        log.exception("consumer.crashed", consumer=self.name)
                    self.owned, self.paused = set(), False
                    await sleep_or_stop(stop, backoff.next())
        finally:
            await self.dead_letters.close()
            await probe.aclose()

    async def _session(self, stop: asyncio.Event, backoff: Backoff, probe: BrokerProbe) -> None:
        timings = LockTimings(self.heartbeat_seconds, self.session_timeout_seconds)
        locks = LockConnection(self.dsn, schema=self.schema, timings=timings,
                               application_name=f"imet-{self.name}-consumer")  # fmt: skip
        idle = IdleFetching(
            self.topics, pause_after=self.idle_pause_seconds, poll_every=self.idle_poll_seconds
        )
        lease_change = asyncio.Event()
        kafka = make_consumer(self.platform, client_id=f"imet-{self.name}-consumer")
        leases = PartitionLeases(locks, self.name)
        self.handler.database_healthy = locks.ping
        self.handler.lease_lost = locks.lost.is_set
        try:
            await locks.open()
            await locks.listen(PUBLISHED_CHANNEL, idle.on_published)
            await locks.listen(
                LEASES_CHANNEL, lambda who: lease_change.set() if who == self.name else None
            )
            await leases.join()
            await asyncio.wait_for(
                kafka.start(), timeout=self.platform.kafka_request_timeout_ms / 1000
            )
            partitions = await topic_partitions(kafka, self.name, self.topics, stop)
            log.info("consumer.started", consumer=self.name, topics=self.topics, slot=leases.slot)
            await self._loop(stop, backoff, probe, locks, leases, kafka, partitions, idle,
                             lease_change)  # fmt: skip
        finally:
            if not locks.lost.is_set():
                with contextlib.suppress(Exception):
                    await leases.leave()
            self.owned, self.paused = set(), False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(kafka.stop(), timeout=5)
            await locks.close()

    async def _loop(
        self,
        stop: asyncio.Event,
        backoff: Backoff,
        probe: BrokerProbe,
        locks: LockConnection,
        leases: PartitionLeases,
        kafka: AIOKafkaConsumer,
        partitions: list[Partition],
        idle: IdleFetching,
        lease_change: asyncio.Event,
    ) -> None:
        positions: dict[Partition, int] = {}  # the next offset to process, per kept partition
        next_rebalance = next_broker_check = 0.0
        fetched = True  # did the last fetch return records? (a fresh session fetches first)
        while not stop.is_set():
            if locks.lost.is_set():
                raise LeaseLost
            now = time.monotonic()
            if lease_change.is_set() or now >= next_rebalance:
                lease_change.clear()
                acquired, released = await leases.rebalance(partitions)
                if acquired or released:
                    await assign(
                        kafka, self.offsets, locks, leases.owned, acquired, positions,
                        log_ends=functools.partial(fetched_log_ends, self.platform),
                    )  # fmt: skip
                    idle.active()
                    log.info("consumer.assigned", consumer=self.name, partitions=len(leases.owned))
                self.owned = set(leases.owned)
                next_rebalance = now + self.rebalance_seconds
            if now >= next_broker_check:
                BROKER_UP.labels(self.name, "consumer").set(1 if (await probe.check())[0] else 0)
                next_broker_check = now + BROKER_CHECK_SECONDS
            until_rebalance = next_rebalance - time.monotonic()
            if not leases.owned:
                await wait_any(stop, lease_change, locks.lost, seconds=until_rebalance)
                continue
            # Idle = the last fetch found nothing AND nothing was applied for the pause time,
            # counted from the END of the work: records in hand never wait for a wake (ADR 0150).
            if not fetched and idle.should_pause():
                self.paused = True
                try:
                    await idle.pause_until_woken(
                        kafka, stop, lease_change, locks.lost, seconds=until_rebalance
                    )
                finally:
                    self.paused = False
            batches = await kafka.getmany(timeout_ms=100, max_records=self.batch_size)
            fetched = bool(batches)
            # Partitions fetched together go oldest first (producer time): across topics there
            # is no order to keep, but the likeliest one is the order the events were written.
            for tp, records in sorted(batches.items(), key=lambda b: b[1][0].timestamp):
                for i in range(0, len(records), self.transaction_size):
                    if stop.is_set():
                        raise Stopping
                    chunk = records[i : i + self.transaction_size]
                    await self.handler.handle_batch(tp, chunk, stop)
                    positions[Partition(tp.topic, tp.partition)] = chunk[-1].offset + 1
                    idle.active()
            backoff.reset()
