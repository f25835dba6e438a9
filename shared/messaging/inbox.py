"""The inbox: `(consumer, message_id)` rows that make a redelivered event a no-op.

Rows are inserted in the transaction that applies the event, so an event is in the inbox
exactly when its effects are committed.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared.db.platform_tables import PlatformTables
from shared.db.uow import SqlUnitOfWork
from shared.messaging.metrics import DUPLICATES
from shared.observability import get_logger

log = get_logger("messaging.inbox")


class Inbox:
    def __init__(self, consumer: str, tables: PlatformTables) -> None:
        self.consumer = consumer
        self.table = tables.inbox

    async def claim(self, uow: SqlUnitOfWork, events: Mapping[str, str]) -> set[str]:
        """Insert one row per `{event id: type}` in one statement; the ids that were new."""
        if not events:
            return set()
        result = await uow.session.execute(
            pg_insert(self.table)
            .values(
                [
                    {"consumer": self.consumer, "message_id": i, "event_type": t}
                    for i, t in events.items()
                ]
            )
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
