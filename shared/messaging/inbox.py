"""The inbox: `(consumer, message_id)` rows that make a redelivered event a no-op.

Rows are inserted in the transaction that applies the event (outcome `applied`), or in the one
that moves the offset past a dead-lettered event (outcome `dead_lettered`), so an id is in the
inbox exactly when the event was dealt with. Each row also records the topic and partition the
event came from: the retention job prunes a row only once that partition has been consumed far
past it (`retention.py`, docs/delivery-guarantees.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from aiokafka import TopicPartition
from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared.db.platform_tables import PlatformTables
from shared.db.uow import SqlUnitOfWork
from shared.messaging.metrics import DUPLICATES
from shared.observability import get_logger

log = get_logger("messaging.inbox")

APPLIED_OUTCOME = "applied"
DEAD_LETTERED_OUTCOME = "dead_lettered"


class Inbox:
    def __init__(self, consumer: str, tables: PlatformTables) -> None:
        self.consumer = consumer
        self.table = tables.inbox

    async def claim(
        self,
        uow: SqlUnitOfWork,
        tp: TopicPartition,
        events: Mapping[str, str],
        *,
        outcome: str,
    ) -> set[str]:
        """Insert one row per `{event id: type}` in one statement; the ids that were new."""
        if not events:
            return set()
        rows = [
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
        result = await uow.session.execute(
            pg_insert(self.table)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(self.table.c.message_id)
        )
        new = set(result.scalars().all())
        for event_id in events.keys() - new:
            DUPLICATES.labels(self.consumer).inc()
            log.info(
                "inbox.duplicate", consumer=self.consumer, event_id=event_id, type=events[event_id]
            )
        return new
