"""Rebuild the read model: replay the public topics from their beginning (`imet reporting
rebuild`).

In ONE transaction: lock the reporting consumer's offset row of every partition (a running
consumer waits on its next batch), take the end of each partition (never before what the
consumer already applied), empty the read model and the consumer's inbox, apply every record
from offset 0 to that end with the same reactions the consumer runs (duplicates by event id
applied once), fill the pre-aggregated projections once from the facts (the statements the
projections and the migration use, ADR 0140), record the inbox rows and move the offsets to
the end, commit. A running consumer then drops what the rebuild covered and goes on from
there: nothing is applied twice or missed. Reference data (countries) is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import TopicPartition
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from reporting.adapters.aggregate_tables import AGGREGATE_TABLES
from reporting.adapters.aggregates import everything
from reporting.adapters.tables import READ_MODEL
from shared.auth.principal import system_actor
from shared.contracts.envelope import EnvelopeError, decode
from shared.messaging.inbox import APPLIED_OUTCOME, Inbox
from shared.messaging.kafka import make_consumer, physical_topic
from shared.messaging.offsets import OffsetStore
from shared.observability import get_logger
from shared.runtime import ServiceRuntime

log = get_logger("reporting.rebuild")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RebuildResult:
    records: int
    applied: int
    skipped: int
    seconds: float


async def rebuild(
    runtime: ServiceRuntime[Any, Any],
    *,
    progress: Progress | None = None,
    timeout_seconds: float = 600.0,
) -> RebuildResult:
    started = time.monotonic()
    d = runtime.definition
    by_type = {model.TYPE: (model, reaction) for model, reaction in d.reactions().items()}
    prefix = runtime.platform.kafka_topic_prefix
    topics = sorted({physical_topic(model.TOPIC, prefix) for model, _ in by_type.values()})
    offsets, inbox = OffsetStore(d.name, d.tables), Inbox(d.name, d.tables)
    size = int(getattr(runtime.settings, "rebuild_batch_size", 500))
    kafka = make_consumer(runtime.platform, client_id=f"{d.name}-rebuild")
    await kafka.start()
    try:
        tps = await _partitions(kafka, topics)
        uow = runtime.uow(system_actor(d.name))
        async with uow:
            uow.hold_commits = True
            stored = await _lock_offsets(uow, d.tables.consumer_offset, d.name, tps)
            reported = await kafka.end_offsets(tps)
            ends = {tp: max(reported[tp], stored[tp]) for tp in tps}
            total = sum(ends.values())
            for table in (*READ_MODEL, *AGGREGATE_TABLES):
                await uow.session.execute(delete(table))
            uow.aggregates.deferred = True  # filled once from the facts, below
            inbox_table = d.tables.inbox
            await uow.session.execute(delete(inbox_table).where(inbox_table.c.consumer == d.name))
            kafka.assign(tps)
            for tp in tps:
                kafka.seek(tp, 0)
            done = applied = skipped = 0
            seen: set[str] = set()
            newest: dict[TopicPartition, datetime] = {}
            remaining = {tp for tp in tps if ends[tp] > 0}
            deadline = time.monotonic() + timeout_seconds
            while remaining:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"rebuild: partitions not read to their end: {remaining}")
                batch = await kafka.getmany(*remaining, timeout_ms=1000, max_records=size)
                for tp, records in batch.items():
                    claims: dict[str, str] = {}
                    for record in records:
                        if record.offset >= ends[tp]:
                            remaining.discard(tp)
                            break
                        done += 1
                        if record.timestamp > 0:
                            newest[tp] = datetime.fromtimestamp(record.timestamp / 1000, UTC)
                        try:
                            envelope = decode(record.headers, record.value)
                        except EnvelopeError:
                            skipped += 1
                            continue
                        known = by_type.get(envelope.type)
                        if known is None or envelope.id in seen:
                            continue
                        seen.add(envelope.id)
                        try:
                            event = envelope.parse(known[0])
                        except ValidationError:
                            skipped += 1  # poison: the consumer dead-lettered it already
                            continue
                        uow.cause_event_id = envelope.id
                        await known[1](event, envelope, uow)
                        await uow.flush_staged()
                        claims[envelope.id] = envelope.type
                        applied += 1
                    if records and records[-1].offset + 1 >= ends[tp]:
                        remaining.discard(tp)
                    await inbox.claim(uow, tp, claims, outcome=APPLIED_OUTCOME)
                if progress is not None:
                    progress(done, total)
            uow.aggregates.deferred = False
            await uow.aggregates.apply(everything, 1)
            for tp in tps:
                at = newest.get(tp, datetime.now(UTC))
                await offsets.store(uow, tp, ends[tp], at, exists=True)
            uow.hold_commits = False
            await uow.commit()
    finally:
        await kafka.stop()
    result = RebuildResult(done, applied, skipped, round(time.monotonic() - started, 3))
    log.info("reporting.rebuilt", records=result.records, applied=result.applied,
             skipped=result.skipped, seconds=result.seconds)  # fmt: skip
    return result


async def _partitions(kafka: Any, topics: list[str]) -> list[TopicPartition]:
    tps: list[TopicPartition] = []
    for topic in topics:
        parts = kafka.partitions_for_topic(topic)
        if not parts:
            await kafka._client.force_metadata_update()
            parts = kafka.partitions_for_topic(topic) or set()
        tps += [TopicPartition(topic, p) for p in sorted(parts)]
    return tps


async def _lock_offsets(
    uow: Any, table: Any, consumer: str, tps: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """Create the missing offset rows, then lock them all: what the consumer applied so far."""
    if tps:
        rows = [
            {"consumer": consumer, "topic": tp.topic, "partition": tp.partition, "next_offset": 0}
            for tp in tps
        ]
        await uow.session.execute(pg_insert(table).values(rows).on_conflict_do_nothing())
    locked = await uow.session.execute(
        select(table.c.topic, table.c.partition, table.c.next_offset)
        .where(table.c.consumer == consumer)
        .with_for_update()
    )
    stored = {TopicPartition(r.topic, r.partition): int(r.next_offset) for r in locked}
    return {tp: stored.get(tp, 0) for tp in tps}
