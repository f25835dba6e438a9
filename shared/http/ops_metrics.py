"""The on-call gauges of one service, computed when `/metrics` is scraped (ADR 0095).

The consumer and the relay may run in other processes than the HTTP app (`--roles`), but what
an operator needs to know about them is in the service's own schema and on the broker: so the
HTTP process of each service computes it on scrape, from the database and the broker, and the
figures are the same whichever process - or how many - does the work:

- `imet_outbox_backlog_rows`, `imet_outbox_oldest_unpublished_seconds`: the outbox rows not
  yet published, and the age of the oldest (0 when none);
- `imet_consumer_lag_records{consumer,topic,partition}`: the broker's end offset minus the
  stored next offset (`consumer_offset`, ADR 0003), never below 0;
  `imet_consumer_last_applied_seconds{consumer}`: seconds since the consumer last stored an
  offset (an apply or a dead-letter);
- `imet_dlq_records{service,topic}`: records in the DLQ of each topic the service consumes,
  from the broker's offsets (end minus start), not a process counter;
- `imet_outbox_relay_leader_present`: 1 while some session holds the service's relay lock
  (`pg_locks`), whichever process it is;
- `imet_db_pool_in_use`, `imet_db_pool_size`: this process's connection pool;
- `imet_aggregates_by_state{service,aggregate,state}`: a service's declared state counts
  (`ServiceDefinition.extra["state_counts"]`, e.g. nominations per state);
- `imet_ops_source_up{service,source}`: 1 when the database / broker part of the last refresh
  succeeded. A failed part keeps its previous figures out of the exposition (no stale values).

Refreshes never overlap: a scrape that arrives while one runs waits for it and uses its
figures. Each part is bounded by `timeout` seconds, so a scrape never hangs on a dead
dependency.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Gauge
from sqlalchemy import Select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.messaging.kafka import dlq_topic, make_consumer, physical_topic
from shared.messaging.locks import lock_key
from shared.observability import get_logger

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime

log = get_logger("http.ops_metrics")

BACKLOG = Gauge("imet_outbox_backlog_rows", "Outbox rows not yet published", ["service"])
BACKLOG_AGE = Gauge(
    "imet_outbox_oldest_unpublished_seconds",
    "Age of the oldest unpublished outbox row (0 when none)",
    ["service"],
)
LAG = Gauge(
    "imet_consumer_lag_records",
    "Broker end offset minus the consumer's stored next offset",
    ["consumer", "topic", "partition"],
)
LAST_APPLIED = Gauge(
    "imet_consumer_last_applied_seconds",
    "Seconds since the consumer last stored an offset (applied or dead-lettered a record)",
    ["consumer"],
)
DLQ_RECORDS = Gauge(
    "imet_dlq_records",
    "Records in a dead-letter topic (broker end offset minus start offset, all partitions)",
    ["service", "topic"],
)
LEADER_PRESENT = Gauge(
    "imet_outbox_relay_leader_present",
    "1 while some process holds the service's relay lock (an active relay), else 0",
    ["service"],
)
POOL_IN_USE = Gauge(
    "imet_db_pool_in_use", "Connections checked out of this process's pool", ["service"]
)
POOL_SIZE = Gauge(
    "imet_db_pool_size", "Size of this process's pool (without overflow)", ["service"]
)
BY_STATE = Gauge(
    "imet_aggregates_by_state", "Aggregates per state", ["service", "aggregate", "state"]
)
SOURCE_UP = Gauge(
    "imet_ops_source_up",
    "1 when the last refresh of these gauges could read the source (database, broker)",
    ["service", "source"],
)

#: `ServiceDefinition.extra["state_counts"]`: {aggregate: SELECT state, count(*) ... GROUP BY}
StateCounts = Mapping[str, Select[tuple[Any, int]]]

_BACKLOG_SQL = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
    "FROM outbox WHERE published_at IS NULL"
)
_OFFSETS_SQL = text(
    "SELECT consumer, topic, partition, next_offset, extract(epoch FROM now() - updated_at) "
    "FROM consumer_offset"
)
# pg_advisory_lock(bigint) shows in pg_locks as classid (high 32 bits) and objid (low 32 bits).
_LEADER_SQL = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = "
    "current_database()) AND (classid::bigint << 32 | objid::bigint) = :key"
)


class _Series:
    """The label sets one service wrote to a gauge, so the next refresh can drop vanished ones."""

    def __init__(self) -> None:
        self.written: dict[Gauge, set[tuple[str, ...]]] = {}
        self.pending: dict[Gauge, dict[tuple[str, ...], float]] = {}

    def set(self, gauge: Gauge, labels: tuple[str, ...], value: float) -> None:
        self.pending.setdefault(gauge, {})[labels] = value

    def publish(self, gauges: tuple[Gauge, ...]) -> None:
        """Make the pending values of these gauges the exposed ones (others keep theirs)."""
        for gauge in gauges:
            values = self.pending.pop(gauge, {})
            for labels in self.written.get(gauge, set()) - values.keys():
                with contextlib.suppress(KeyError):
                    gauge.remove(*labels)
            for labels, value in values.items():
                gauge.labels(*labels).set(value)
            self.written[gauge] = set(values)


DB_GAUGES = (BACKLOG, BACKLOG_AGE, LAST_APPLIED, LEADER_PRESENT, BY_STATE)
BROKER_GAUGES = (LAG, DLQ_RECORDS)


class OpsMetrics:
    def __init__(
        self,
        runtime: ServiceRuntime[Any, Any],
        *,
        timeout: float = 3.0,
    ) -> None:
        d = runtime.definition
        self.runtime = runtime
        self.service = d.name
        self.schema = d.schema
        prefix = runtime.platform.kafka_topic_prefix
        self.topics = sorted({physical_topic(m.TOPIC, prefix) for m in d.reactions()})
        self.state_counts: StateCounts = d.extra.get("state_counts", {})
        self.timeout = timeout
        self._series = _Series()
        self._lock = asyncio.Lock()
        self._generation = 0
        self._kafka: AIOKafkaConsumer | None = None
        self._stored: dict[tuple[str, str, int], int] = {}

    async def refresh(self) -> None:
        generation = self._generation
        async with self._lock:
            if self._generation != generation:
                return  # another scrape refreshed while this one waited
            self._pool()
            db_ok = await self._bounded(self._database, "database")
            self._series.publish(DB_GAUGES if db_ok else ())
            if not db_ok:
                self._drop(DB_GAUGES)
            broker_ok = await self._bounded(self._broker, "broker") if self.topics else True
            if broker_ok:
                self._series.publish(BROKER_GAUGES)
            else:
                self._drop(BROKER_GAUGES)
                await self._drop_kafka()
            self._generation += 1

    def _drop(self, gauges: tuple[Gauge, ...]) -> None:
        for gauge in gauges:
            self._series.pending.pop(gauge, None)
        self._series.publish(gauges)

    async def _bounded(self, part: Callable[[], Awaitable[None]], source: str) -> bool:
        ok = True
        try:
            await asyncio.wait_for(part(), timeout=self.timeout)
        except Exception as exc:
            ok = False
            log.warning("metrics.source_failed", service=self.service, source=source,
                        error=type(exc).__name__)  # fmt: skip
        SOURCE_UP.labels(self.service, source).set(1 if ok else 0)
        return ok

    def _pool(self) -> None:
        pool: Any = self.runtime.engine.pool
        POOL_IN_USE.labels(self.service).set(pool.checkedout())
        POOL_SIZE.labels(self.service).set(pool.size())

    async def _database(self) -> None:
        s, name = self._series, self.service
        async with self.runtime.engine.connect() as conn:
            rows, age = (await conn.execute(_BACKLOG_SQL)).one()
            s.set(BACKLOG, (name,), float(rows))
            s.set(BACKLOG_AGE, (name,), float(age))
            key = lock_key(f"outbox-relay:{self.schema}")
            leaders = (await conn.execute(_LEADER_SQL, {"key": key})).scalar_one()
            s.set(LEADER_PRESENT, (name,), 1.0 if leaders else 0.0)
            self._stored = {}
            newest: dict[str, float] = {}
            for consumer, topic, partition, next_offset, since in await conn.execute(_OFFSETS_SQL):
                self._stored[(consumer, topic, int(partition))] = int(next_offset)
                newest[consumer] = min(float(since), newest.get(consumer, float("inf")))
            for consumer, since in newest.items():
                s.set(LAST_APPLIED, (consumer,), max(since, 0.0))
            await self._states(conn)

    async def _states(self, conn: AsyncConnection) -> None:
        for aggregate, query in self.state_counts.items():
            result: Any = await conn.execute(query)
            for state, count in result:
                self._series.set(BY_STATE, (self.service, aggregate, str(state)), float(count))

    async def _broker(self) -> None:
        kafka = await self._client()
        parts: list[TopicPartition] = []
        dlq_parts: list[TopicPartition] = []
        for topic in self.topics:
            for name, into in ((topic, parts), (dlq_topic(topic), dlq_parts)):
                found = kafka.partitions_for_topic(name)
                if not found:
                    await kafka._client.force_metadata_update()
                    found = kafka.partitions_for_topic(name) or set()
                into.extend(TopicPartition(name, p) for p in sorted(found))
        ends = await kafka.end_offsets(parts + dlq_parts) if parts or dlq_parts else {}
        starts = await kafka.beginning_offsets(dlq_parts) if dlq_parts else {}
        for tp in parts:
            stored = self._stored.get((self.service, tp.topic, tp.partition), 0)
            lag = max(ends[tp] - stored, 0)
            self._series.set(LAG, (self.service, tp.topic, str(tp.partition)), float(lag))
        for topic in self.topics:
            dead = sum(
                max(ends[tp] - starts[tp], 0) for tp in dlq_parts if tp.topic == dlq_topic(topic)
            )
            self._series.set(DLQ_RECORDS, (self.service, dlq_topic(topic)), float(dead))

    async def _client(self) -> AIOKafkaConsumer:
        if self._kafka is None:
            kafka = make_consumer(self.runtime.platform, client_id=f"imet-{self.service}-metrics")
            try:
                await kafka.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await kafka.stop()
                raise
            self._kafka = kafka
        return self._kafka

    async def _drop_kafka(self) -> None:
        kafka, self._kafka = self._kafka, None
        if kafka is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(kafka.stop(), timeout=2)

    async def aclose(self) -> None:
        await self._drop_kafka()
