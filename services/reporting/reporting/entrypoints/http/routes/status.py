"""`/api/v1/reports/status`: how current the read model is."""

from __future__ import annotations

from fastapi import APIRouter

from reporting.adapters import queries
from reporting.entrypoints.authorization import ReportReader
from reporting.entrypoints.http.deps import NowDep, RuntimeDep
from reporting.entrypoints.http.schemas.reports import StatusPublic, TopicStatusPublic

router = APIRouter(prefix="/api/v1/reports", tags=["status"])


@router.get("/status", response_model=StatusPublic)
async def get_status(principal: ReportReader, runtime: RuntimeDep, now: NowDep) -> StatusPublic:
    """Per topic the reports read, the newest event time applied and how many events were
    applied: a report is as current as the oldest of these."""
    topics = sorted({model.TOPIC for model in runtime.definition.reactions()})
    async with runtime.sessions() as session:
        found = await queries.topic_status(session, topics)
    return StatusPublic(
        as_of=now,
        topics=[
            TopicStatusPublic(
                topic=t.topic, newest_event_at=t.newest_event_at, events_applied=t.events_applied
            )
            for t in found
        ],
    )
