"""Consumer offsets in the service's own schema (ADR 0003).

The next offset per `(consumer, topic, partition)` is written in the same transaction as the
effects of the records before it. Every transaction that applies records first locks the
partition's row (`SELECT ... FOR UPDATE`), so two instances can never both apply a record.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from aiokafka import TopicPartition
from sqlalchemy import ColumnElement, and_, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared.db.platform_tables import PlatformTables
from shared.db.uow import SqlUnitOfWork

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
        self, uow: SqlUnitOfWork, tp: TopicPartition, next_offset: int, *, exists: bool
    ) -> None:
        t = self.table
        if exists:
            await uow.session.execute(
                update(t)
                .where(self._where(tp))
                .values(next_offset=next_offset, updated_at=datetime.now(UTC))
            )
        else:
            await uow.session.execute(
                insert(t).values(
                    consumer=self.consumer,
                    topic=tp.topic,
                    partition=tp.partition,
                    next_offset=next_offset,
                )
            )

    async def advance_past(self, uow: SqlUnitOfWork, tp: TopicPartition, offset: int) -> None:
        """Move the offset past `offset` unless it already is (a dead-lettered record)."""
        t = self.table
        await uow.session.execute(
            pg_insert(t)
            .values(
                consumer=self.consumer, topic=tp.topic, partition=tp.partition,
                next_offset=offset + 1,
            )
            .on_conflict_do_update(
                index_elements=[t.c.consumer, t.c.topic, t.c.partition],
                set_={"next_offset": offset + 1, "updated_at": datetime.now(UTC)},
                where=t.c.next_offset <= offset,
            )
        )  # fmt: skip

    async def stored(self, conn: asyncpg.Connection, tp: TopicPartition) -> int:
        """The stored next offset of a partition (0, and a row created, when there is none)."""
        return int(await conn.fetchval(_STORED, self.consumer, tp.topic, tp.partition))

    async def reset(self, conn: asyncpg.Connection, tp: TopicPartition) -> None:
        await conn.execute(_RESET, self.consumer, tp.topic, tp.partition)
