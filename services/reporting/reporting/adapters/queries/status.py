"""How current the read model is: per topic, the newest event time applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import topic_position


@dataclass(frozen=True)
class TopicStatus:
    topic: str
    newest_event_at: datetime | None
    events_applied: int


async def topic_status(session: AsyncSession, topics: list[str]) -> list[TopicStatus]:
    t = topic_position.c
    stmt = select(t.topic, t.newest_event_at, t.events_applied)
    rows = {r.topic: r for r in (await session.execute(stmt)).all()}
    return [
        TopicStatus(name, rows[name].newest_event_at, rows[name].events_applied)
        if name in rows
        else TopicStatus(name, None, 0)
        for name in topics
    ]
