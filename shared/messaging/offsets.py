"""Consumer offsets in the service's own schema (ADR 0003).

The next offset per `(consumer, topic, partition)` is written in the same transaction as the
effects of the records before it. Every transaction that applies records first locks the
partition's row (`SELECT ... FOR UPDATE`), so two instances can never both apply a record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import ColumnElement, and_, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared.db.platform_tables import PlatformTables
from shared.db.uow import SqlUnitOfWork
from shared.messaging.connections import LockConnection
from shared.observability import get_logger

if TYPE_CHECKING:
    from shared.messaging.leases import Partition

log = get_logger("messaging.consumer")

_STORED = """
INSERT INTO consumer_offset (consumer, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
ON CONFLICT (consumer, topic, partition) DO UPDATE SET updated_at = consumer_offset.updated_at
RETURNING next_offset
"""
_RESET = """
UPDATE consumer_offset SET next_offset = 0, updated_at = now()
WHERE consumer = $1 AND topic = $2 AND partition = $3
"""


class OffsetStore:
    def __init__(self, consumer: str, tables: PlatformTables) -> None:
        self.consumer = consumer
        self.table = tables.consumer_offset

    def _where(self, tp: TopicPartition) -> ColumnElement[bool]:
        t = self.table
        return and_(
            t.c.consumer == self.consumer, t.c.topic == tp.topic, t.c.partition == tp.partition
        )

    async def lock(self, uow: SqlUnitOfWork, tp: TopicPartition) -> int | None:
        """Lock the partition's row: serialises every instance's work on the partition."""
        stmt = select(self.table.c.next_offset).where(self._where(tp)).with_for_update()
        return (await uow.session.execute(stmt)).scalar_one_or_none()

    async def store(
        self,
        uow: SqlUnitOfWork,
        tp: TopicPartition,
        next_offset: int,
        record_time: datetime,
        *,
        exists: bool,
    ) -> None:
        """`record_time`: the producer timestamp of the newest record applied (retention.py)."""
        t = self.table
        values = {"next_offset": next_offset, "record_time": record_time}
        if exists:
            await uow.session.execute(
                update(t).where(self._where(tp)).values(**values, updated_at=datetime.now(UTC))
            )
        else:
            await uow.session.execute(
                insert(t).values(
                    consumer=self.consumer, topic=tp.topic, partition=tp.partition, **values
                )
            )

    async def advance_past(
        self, uow: SqlUnitOfWork, tp: TopicPartition, offset: int, record_time: datetime
    ) -> None:
        """Move the offset past `offset` unless it already is (a dead-lettered record)."""
        t = self.table
        await uow.session.execute(
            pg_insert(t)
            .values(
                consumer=self.consumer, topic=tp.topic, partition=tp.partition,
                next_offset=offset + 1, record_time=record_time,
            )
            .on_conflict_do_update(
                index_elements=[t.c.consumer, t.c.topic, t.c.partition],
                set_={
                    "next_offset": offset + 1,
                    "record_time": record_time,
                    "updated_at": datetime.now(UTC),
                },
                where=t.c.next_offset <= offset,
            )
        )  # fmt: skip

    async def stored(self, conn: LockConnection, tp: TopicPartition) -> int:
        """The stored next offset of a partition (0, and a row created, when there is none)."""
        return int(await conn.fetchval(_STORED, self.consumer, tp.topic, tp.partition))

    async def reset(self, conn: LockConnection, tp: TopicPartition) -> None:
        await conn.execute(_RESET, self.consumer, tp.topic, tp.partition)


LogEnds = Callable[
    [list[TopicPartition], dict[TopicPartition, int]], Awaitable[dict[TopicPartition, int]]
]


async def start_offsets(
    store: OffsetStore,
    kafka: AIOKafkaConsumer,
    conn: LockConnection,
    partitions: list[Partition],
    *,
    log_ends: LogEnds | None = None,
    confirmations: int = 3,
    pause: float = 0.5,
) -> dict[Partition, int]:
    """Where newly acquired partitions start: their stored offsets.

    A stored offset beyond the end of the log means the broker lost its data (the dev broker
    restarted): start that partition over from 0. But a false reset replays a whole log (every
    poison record is dead-lettered again, and the inbox may have been pruned), so "beyond the
    end" must hold on `confirmations` reads `pause` seconds apart and then on `log_ends` - the
    high watermark of a fetch response (`kafka.fetched_log_ends`), as Tansu's ListOffsets
    answer can lag the records it serves (ENVIRONMENT.md).
    """
    tps = {p: TopicPartition(p.topic, p.partition) for p in partitions}
    starts = {p: await store.stored(conn, tp) for p, tp in tps.items()}
    suspicious = set(partitions)
    ends: dict[TopicPartition, int] = {}
    for attempt in range(confirmations):
        if not suspicious:
            break
        if attempt:
            await asyncio.sleep(pause)
        ends = await kafka.end_offsets([tps[p] for p in sorted(suspicious)])
        suspicious = {p for p in suspicious if starts[p] > ends[tps[p]]}
    if suspicious and log_ends is not None:
        checked = [tps[p] for p in sorted(suspicious)]
        fetched = await log_ends(checked, {tp: ends[tp] for tp in checked})
        for p in sorted(suspicious):
            if starts[p] <= fetched[tps[p]]:
                log.info("consumer.log_end_lagged", consumer=store.consumer, topic=p.topic,
                         partition=p.partition, reported=ends[tps[p]],
                         fetched=fetched[tps[p]])  # fmt: skip
        suspicious = {p for p in suspicious if starts[p] > fetched[tps[p]]}
    for p in sorted(suspicious):
        log.warning("consumer.offset_beyond_end", consumer=store.consumer, topic=p.topic,
                    partition=p.partition, stored=starts[p])  # fmt: skip
        await store.reset(conn, tps[p])
        starts[p] = 0
    return starts
