"""The inbox: `(consumer, message_id)` rows that make a redelivered event a no-op.

Rows are inserted in the transaction that applies the event (outcome `applied`), or in the one
that moves the offset past a dead-lettered event (outcome `dead_lettered`), so an id is in the
inbox exactly when the event was dealt with. Each row also records the topic and partition the
event came from: the retention job prunes a row only once that partition has been consumed far
past it (`retention.py`, docs/delivery-guarantees.md).

A replayed dead letter (`imet dlq replay`, ADR 0106) carries the same event id as the record
that failed: its id is passed in `retry_dead_lettered`, and its row is taken over (outcome
`dead_lettered` -> `applied`) in the applying transaction. Only a `dead_lettered` row is taken
over, under the row lock of the upsert: a second replay, or a replay of an event that was in
fact applied, finds `applied` and is a duplicate like any other - applied exactly once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from aiokafka import TopicPartition
from sqlalchemy import ARRAY, Insert, Integer, String, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared.db.platform_tables import PlatformTables
from shared.db.uow import SqlUnitOfWork
from shared.messaging.metrics import DUPLICATES
from shared.observability import get_logger

log = get_logger("messaging.inbox")

APPLIED_OUTCOME = "applied"
DEAD_LETTERED_OUTCOME = "dead_lettered"


def _insert_many(table: Table) -> Insert:
    """`INSERT .. SELECT FROM unnest(:ids, :types) .. ON CONFLICT DO NOTHING RETURNING id`: one
    statement of the same shape for any number of events (compiled once and cached, 6 bind
    parameters) instead of a VALUES row of 6 parameters per event."""
    rows = (
        func.unnest(bindparam("ids", type_=ARRAY(String)), bindparam("types", type_=ARRAY(String)))
        .table_valued("message_id", "event_type")
        .render_derived()
    )
    source = select(
        bindparam("consumer", type_=String),
        rows.c.message_id,
        rows.c.event_type,
        bindparam("topic", type_=String),
        bindparam("partition", type_=Integer),
        bindparam("outcome", type_=String),
    )
    columns = ["consumer", "message_id", "event_type", "topic", "partition", "outcome"]
    return (
        pg_insert(table)
        .from_select(columns, source)
        .on_conflict_do_nothing()
        .returning(table.c.message_id)
    )


class Inbox:
    def __init__(self, consumer: str, tables: PlatformTables) -> None:
        self.consumer = consumer
        self.table = tables.inbox
        self._insert_many = _insert_many(self.table)

    async def claim(
        self,
        uow: SqlUnitOfWork,
        tp: TopicPartition,
        events: Mapping[str, str],
        *,
        outcome: str,
        retry_dead_lettered: Collection[str] = (),
    ) -> set[str]:
        """Insert one row per `{event id: type}` in one statement; the ids that were new.

        Ids in `retry_dead_lettered` (replayed dead letters) also count as new when their row
        says `dead_lettered`; that row becomes `applied` (see the module's doc).
        """
        if not events:
            return set()
        retry = {i: t for i, t in events.items() if i in retry_dead_lettered}
        fresh = {i: t for i, t in events.items() if i not in retry}
        new = await self._insert(uow, fresh, tp, outcome)
        if retry:
            new |= await self._take_over(uow, retry, tp, outcome)
        for event_id in events.keys() - new:
            DUPLICATES.labels(self.consumer).inc()
            log.info(
                "inbox.duplicate", consumer=self.consumer, event_id=event_id, type=events[event_id]
            )
        return new

    def _rows(
        self, events: Mapping[str, str], tp: TopicPartition, outcome: str
    ) -> list[dict[str, object]]:
        return [
            {
                "consumer": self.consumer,
                "message_id": event_id,
                "event_type": event_type,
                "topic": tp.topic,
                "partition": tp.partition,
                "outcome": outcome,
            }
            for event_id, event_type in events.items()
        ]

    async def _insert(
        self, uow: SqlUnitOfWork, events: Mapping[str, str], tp: TopicPartition, outcome: str
    ) -> set[str]:
        if not events:
            return set()
        # Two arrays, not a VALUES row per event: one statement of the same shape for any
        # number of events (compiled once, cached; ~6 bind parameters instead of 6 per event).
        result = await uow.session.execute(
            self._insert_many,
            {
                "consumer": self.consumer,
                "ids": list(events),
                "types": list(events.values()),
                "topic": tp.topic,
                "partition": tp.partition,
                "outcome": outcome,
            },
        )
        return set(result.scalars().all())

    async def _take_over(
        self, uow: SqlUnitOfWork, events: Mapping[str, str], tp: TopicPartition, outcome: str
    ) -> set[str]:
        statement = pg_insert(self.table).values(self._rows(events, tp, outcome))
        result = await uow.session.execute(
            statement.on_conflict_do_update(
                index_elements=[self.table.c.consumer, self.table.c.message_id],
                set_={
                    "outcome": statement.excluded.outcome,
                    "topic": statement.excluded.topic,
                    "partition": statement.excluded.partition,
                    "received_at": func.now(),  # retention counts from the replay
                },
                where=self.table.c.outcome == DEAD_LETTERED_OUTCOME,
            ).returning(self.table.c.message_id)
        )
        taken = set(result.scalars().all())
        for event_id in taken:
            log.info("inbox.replay_taken_over", consumer=self.consumer, event_id=event_id)
        return taken
