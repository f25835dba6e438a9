"""The consumer loop: at-least-once delivery, exactly-once effects.

For each record, in partition order:
  decode the CloudEvent -> find the reaction by `ce_type` (unknown type: skip) -> open a unit of
  work -> lock the partition's offset row and check the offset -> advance it -> insert the
  inbox row `(consumer, ce_id)` (duplicate: skip the effect) -> run the reaction -> commit.
The offset lives in the service's own schema and is committed in the SAME transaction as the
effect, inbox row and any outbox rows (ADR 0003), so a crash at any point either applied all of
it or none of it; redelivery of an already-applied event changes nothing.

Failures: an undecodable record or a body that does not match the event model is poison and
goes straight to `<topic>.dlq`. A failing reaction is retried with backoff a bounded number of
times, then dead-lettered with error headers, and the partition moves on. An unreachable
database is not the message's fault: it is retried until the database returns, never
dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from shared.auth.principal import Principal, system_actor
from shared.db.platform_tables import PlatformTables
from shared.db.uow import SqlUnitOfWork
from shared.messaging.backoff import Backoff, sleep_or_stop
from shared.messaging.envelope import Envelope, EnvelopeError, IntegrationEvent, decode
from shared.messaging.kafka import dlq_topic, make_consumer, make_producer, physical_topic
from shared.messaging.leases import Partition, PartitionLeases
from shared.observability import get_logger, request_id_var, traceparent_var
from shared.settings import PlatformSettings

log = get_logger("messaging.consumer")

Reaction = Callable[[Any, Envelope, Any], Awaitable[None]]
UowFactory = Callable[[Principal, str | None], SqlUnitOfWork]

APPLIED = Counter("imet_events_applied_total", "Events applied", ["consumer", "type"])
DUPLICATES = Counter("imet_events_duplicate_total", "Redelivered events skipped", ["consumer"])
DEAD = Counter("imet_events_dead_lettered_total", "Events sent to a DLQ", ["consumer"])
REREAD = Counter(
    "imet_events_reread_total", "Records fetched again below the stored offset", ["consumer"]
)

_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300"}


@dataclass(frozen=True)
class _Decoded:
    record: ConsumerRecord[Any, Any]
    envelope: Envelope
    reaction: Reaction | None
    event: IntegrationEvent | None


def _chunks(
    records: list[ConsumerRecord[Any, Any]], size: int
) -> list[list[ConsumerRecord[Any, Any]]]:
    return [records[i : i + size] for i in range(0, len(records), size)]


class PoisonMessage(Exception):
    """A record no retry can fix (not a CloudEvent, or a body that fails its model)."""


class _Stopping(Exception):
    pass


def _is_transient(exc: BaseException) -> bool:
    """Infrastructure trouble (DB unreachable, serialization failure): retry, never dead-letter."""
    if isinstance(exc, OSError | asyncpg.InterfaceError | asyncpg.PostgresConnectionError):
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in _TRANSIENT_SQLSTATES or bool(exc.connection_invalidated)
    return False


def _safe_error(exc: BaseException) -> str:
    """An error description for headers and logs that never echoes the rejected input."""
    if isinstance(exc, ValidationError):
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        return f"body failed validation at: {', '.join(fields)}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


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
        self.tables = tables
        self.uow_factory = uow_factory
        self.by_type: dict[str, tuple[type[IntegrationEvent], Reaction]] = {
            model.TYPE: (model, reaction) for model, reaction in reactions.items()
        }
        self.topics = sorted(
            {physical_topic(m.TOPIC, platform.kafka_topic_prefix) for m in reactions}
        )
        self.retry_attempts = retry_attempts
        self.retry_backoff_seconds = retry_backoff_seconds
        self.batch_size = batch_size
        self.rebalance_seconds = rebalance_seconds
        self.transaction_size = transaction_size
        self.actor = system_actor(name)
        self.owned: set[Partition] = set()
        self._producer: AIOKafkaProducer | None = None

    async def run(self, stop: asyncio.Event) -> None:
        if not self.by_type:
            return
        backoff = Backoff(initial=0.2, maximum=5.0)
        try:
            while not stop.is_set():
                try:
                    await self._session(stop, backoff)
                except _Stopping:
                    return
                except Exception as exc:
                    if not _is_transient(exc) and not _is_kafka_error(exc):
                        log.exception("consumer.crashed", consumer=self.name)
                    else:
                        log.warning(
                            "consumer.reconnecting", consumer=self.name, error=type(exc).__name__
                        )
                    self.owned = set()
                    await sleep_or_stop(stop, backoff.next())
        finally:
            await self._drop_producer()

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
                    for chunk in _chunks(records, self.transaction_size):
                        if stop.is_set():
                            raise _Stopping
                        await self._handle_batch(tp, chunk, stop)
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
                raise _Stopping

    async def _assign(
        self,
        kafka: AIOKafkaConsumer,
        conn: asyncpg.Connection,
        owned: set[Partition],
        acquired: set[Partition],
    ) -> None:
        kafka.assign([TopicPartition(p.topic, p.partition) for p in sorted(owned)])
        if not acquired:
            return
        tps = [TopicPartition(p.topic, p.partition) for p in sorted(acquired)]
        ends = await kafka.end_offsets(tps)
        for p, tp in zip(sorted(acquired), tps, strict=True):
            stored = await conn.fetchval(
                "INSERT INTO consumer_offset (consumer, topic, partition, next_offset) "
                "VALUES ($1, $2, $3, 0) ON CONFLICT (consumer, topic, partition) "
                "DO UPDATE SET updated_at = consumer_offset.updated_at RETURNING next_offset",
                self.name, p.topic, p.partition,
            )  # fmt: skip
            if stored > ends[tp]:
                # The log is shorter than what we applied: the broker lost its data (dev broker
                # restarted). Start over from the beginning; the inbox drops what we already saw.
                log.warning("consumer.offset_beyond_end", consumer=self.name, topic=p.topic,
                            partition=p.partition, stored=stored, end=ends[tp])  # fmt: skip
                await conn.execute(
                    "UPDATE consumer_offset SET next_offset = 0, updated_at = now() "
                    "WHERE consumer = $1 AND topic = $2 AND partition = $3",
                    self.name, p.topic, p.partition,
                )  # fmt: skip
                stored = 0
            kafka.seek(tp, stored)

    async def _handle(
        self, tp: TopicPartition, record: ConsumerRecord[Any, Any], stop: asyncio.Event
    ) -> None:
        attempts = 0
        transient = Backoff(initial=0.1, maximum=5.0)
        while True:
            try:
                await self._apply(tp, record)
                return
            except PoisonMessage as exc:
                await self._dead_letter(tp, record, exc, attempts=1, stop=stop)
                return
            except Exception as exc:
                if _is_transient(exc):
                    log.warning(
                        "consumer.transient_error", consumer=self.name, error=type(exc).__name__
                    )
                    if await sleep_or_stop(stop, transient.next()):
                        raise _Stopping from exc
                    continue
                attempts += 1
                log.warning("consumer.handler_failed", consumer=self.name, topic=tp.topic,
                            partition=tp.partition, offset=record.offset, attempt=attempts,
                            error=_safe_error(exc))  # fmt: skip
                if attempts >= self.retry_attempts:
                    await self._dead_letter(tp, record, exc, attempts=attempts, stop=stop)
                    return
                if await sleep_or_stop(stop, self.retry_backoff_seconds * 2 ** (attempts - 1)):
                    raise _Stopping from exc

    def _decode(self, record: ConsumerRecord[Any, Any]) -> _Decoded:
        try:
            envelope = decode(record.headers, record.value)
        except EnvelopeError as exc:
            raise PoisonMessage(str(exc)) from exc
        entry = self.by_type.get(envelope.type)
        event: IntegrationEvent | None = None
        if entry is not None:
            try:
                event = envelope.parse(entry[0])
            except ValidationError as exc:
                raise PoisonMessage(_safe_error(exc)) from exc
        return _Decoded(record, envelope, entry[1] if entry else None, event)

    async def _lock_offset(self, uow: SqlUnitOfWork, tp: TopicPartition) -> int | None:
        """Lock the partition's offset row: serialises every instance's work on the partition."""
        t = self.tables.consumer_offset
        stmt = (
            select(t.c.next_offset)
            .where(t.c.consumer == self.name, t.c.topic == tp.topic, t.c.partition == tp.partition)
            .with_for_update()
        )
        return (await uow.session.execute(stmt)).scalar_one_or_none()

    async def _claim_inbox(self, uow: SqlUnitOfWork, decoded: list[_Decoded]) -> set[str]:
        """Insert the inbox rows of the known events in one statement; the ids that were new."""
        known = [d for d in decoded if d.reaction is not None and d.event is not None]
        for d in decoded:
            if d.reaction is None:
                log.debug("consumer.unknown_type_skipped", consumer=self.name, type=d.envelope.type)
        if not known:
            return set()
        inbox = self.tables.inbox
        rows = {
            d.envelope.id: d.envelope.type for d in known
        }  # one row per id, even within a batch
        result = await uow.session.execute(
            pg_insert(inbox)
            .values(
                [{"consumer": self.name, "message_id": i, "event_type": t} for i, t in rows.items()]
            )
            .on_conflict_do_nothing()
            .returning(inbox.c.message_id)
        )
        new = set(result.scalars().all())
        for event_id in rows.keys() - new:
            DUPLICATES.labels(self.name).inc()
            log.info("inbox.duplicate", consumer=self.name, event_id=event_id, type=rows[event_id])
        return new

    async def _react(self, uow: SqlUnitOfWork, d: _Decoded) -> None:
        assert d.reaction is not None
        uow.cause_event_id = d.envelope.id
        rid_token = request_id_var.set(d.envelope.request_id)
        tp_token = traceparent_var.set(d.envelope.traceparent)
        try:
            await d.reaction(d.event, d.envelope, uow)
            await uow.flush_staged()  # under this event's request id and cause
        finally:
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)

    async def _apply(self, tp: TopicPartition, record: ConsumerRecord[Any, Any]) -> None:
        await self._apply_batch(tp, [record])

    async def _apply_batch(
        self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]]
    ) -> None:
        """Apply consecutive records of one partition in ONE transaction (offset stored last).

        The unit of work holds its commits meanwhile: a reaction's `commit()` only writes, so
        the inbox rows, effects and offset of the whole batch commit together or not at all,
        and a failure anywhere falls back to one record at a time with nothing half-applied.
        """
        decoded = [self._decode(r) for r in records]
        uow = self.uow_factory(self.actor, decoded[0].envelope.id)
        applied: list[_Decoded] = []
        async with uow:
            # The batch is ONE transaction: a reaction's own commit() must not commit the
            # inbox rows and offset of the events after it before their effects exist.
            uow.hold_commits = True
            current = await self._lock_offset(uow, tp)
            todo = [d for d in decoded if current is None or d.record.offset >= current]
            if len(todo) < len(decoded):
                # Read again although applied: what a replay costs (fault suite: per rebalance).
                REREAD.labels(self.name).inc(len(decoded) - len(todo))
                log.info("consumer.reread", consumer=self.name, topic=tp.topic,
                         partition=tp.partition, records=len(decoded) - len(todo))  # fmt: skip
            if not todo:
                log.info("consumer.already_applied", consumer=self.name, offset=records[-1].offset)
                return
            await self._store_offset(
                uow, tp, todo[-1].record.offset + 1, exists=current is not None
            )
            new = await self._claim_inbox(uow, todo)
            for d in todo:
                if d.envelope.id in new:
                    new.discard(d.envelope.id)  # a repeat of an id inside the batch is a duplicate
                    await self._react(uow, d)
                    applied.append(d)
            uow.hold_commits = False
            await uow.commit()
        for d in applied:
            APPLIED.labels(self.name, d.envelope.type).inc()

    async def _handle_batch(
        self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]], stop: asyncio.Event
    ) -> None:
        """The fast path for a run of records; any failure falls back to one record at a time,
        which isolates a poison record or a failing reaction and applies the retry policy."""
        if len(records) > 1:
            try:
                await self._apply_batch(tp, records)
                return
            except Exception as exc:
                log.info("consumer.batch_fallback", consumer=self.name, error=type(exc).__name__)
        for record in records:
            if stop.is_set():
                raise _Stopping
            await self._handle(tp, record, stop)

    async def _store_offset(
        self, uow: SqlUnitOfWork, tp: TopicPartition, next_offset: int, *, exists: bool
    ) -> None:
        t = self.tables.consumer_offset
        if exists:
            await uow.session.execute(
                update(t)
                .where(
                    t.c.consumer == self.name, t.c.topic == tp.topic, t.c.partition == tp.partition
                )
                .values(next_offset=next_offset, updated_at=datetime.now(UTC))
            )
        else:
            await uow.session.execute(
                insert(t).values(
                    consumer=self.name,
                    topic=tp.topic,
                    partition=tp.partition,
                    next_offset=next_offset,
                )
            )

    async def _dead_letter(
        self,
        tp: TopicPartition,
        record: ConsumerRecord[Any, Any],
        exc: BaseException,
        *,
        attempts: int,
        stop: asyncio.Event,
    ) -> None:
        headers = [
            *record.headers,
            ("x-dlq-consumer", self.name.encode()),
            ("x-dlq-original-topic", tp.topic.encode()),
            ("x-dlq-original-partition", str(tp.partition).encode()),
            ("x-dlq-original-offset", str(record.offset).encode()),
            ("x-dlq-error-type", type(exc).__name__.encode()),
            ("x-dlq-error-message", _safe_error(exc).encode()),
            ("x-dlq-attempts", str(attempts).encode()),
            ("x-dlq-failed-at", datetime.now(UTC).isoformat().encode()),
        ]
        backoff = Backoff(initial=0.2, maximum=5.0)
        while True:
            try:
                producer = await self._get_producer()
                await producer.send_and_wait(
                    dlq_topic(tp.topic), value=record.value, key=record.key, headers=headers
                )
                break
            except Exception as send_exc:
                log.warning(
                    "consumer.dlq_unavailable", consumer=self.name, error=type(send_exc).__name__
                )
                await self._drop_producer()
                if await sleep_or_stop(stop, backoff.next()):
                    raise _Stopping from send_exc
        await self._advance_past(tp, record.offset)
        DEAD.labels(self.name).inc()
        log.error(
            "consumer.dead_lettered",
            consumer=self.name,
            topic=tp.topic,
            partition=tp.partition,
            offset=record.offset,
            error=_safe_error(exc),
        )

    async def _advance_past(self, tp: TopicPartition, offset: int) -> None:
        uow = self.uow_factory(self.actor, None)
        async with uow:
            t = self.tables.consumer_offset
            await uow.session.execute(
                pg_insert(t)
                .values(
                    consumer=self.name,
                    topic=tp.topic,
                    partition=tp.partition,
                    next_offset=offset + 1,
                )
                .on_conflict_do_update(
                    index_elements=[t.c.consumer, t.c.topic, t.c.partition],
                    set_={"next_offset": offset + 1, "updated_at": datetime.now(UTC)},
                    where=t.c.next_offset <= offset,
                )
            )
            await uow.commit()

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.platform, client_id=f"imet-{self.name}-dlq")
            await asyncio.wait_for(
                producer.start(), timeout=self.platform.kafka_request_timeout_ms / 1000
            )
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=2)


def _is_kafka_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("aiokafka") or isinstance(exc, TimeoutError)
