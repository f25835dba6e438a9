"""`GET <prefix>/audit`: the service's append-only audit trail, for auditors and admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from shared.auth.principal import Principal, Role
from shared.http.auth import require_roles
from shared.http.pagination import Page, PageQuery, paginate


class AuditRecordPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1842,
                    "occurred_at": "2026-02-12T15:30:00Z",
                    "actor": "funding-officer-mlopez",
                    "actor_roles": ["funding_officer"],
                    "actor_country": None,
                    "action": "allocation.changed",
                    "entity_type": "allocation",
                    "entity_id": "6d3c1a8e-1f7a-4c38-9a40-2f1d1c9f6a10",
                    "before": {"country": "GTM", "fiscal_year": 2026, "amount": "1450000.00"},
                    "after": {
                        "country": "GTM",
                        "fiscal_year": 2026,
                        "amount": "1600000.00",
                        "reason": "Reprogrammed from unused GHA ceiling",
                    },
                    "request_id": "3f6f0d2e-8c4b-4f7e-9a51-6b2d0c7e1a94",
                    "cause_event_id": None,
                }
            ]
        }
    )

    id: int
    occurred_at: datetime
    actor: str
    actor_roles: list[str]
    actor_country: str | None
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    cause_event_id: str | None


AuditReader = Annotated[Principal, Depends(require_roles(Role.AUDITOR, Role.ADMIN))]


def audit_router(prefix: str, tag: str) -> APIRouter:
    router = APIRouter(prefix=prefix, tags=[tag])

    @router.get("/audit", response_model=Page[AuditRecordPublic], name="list_audit")
    async def list_audit(
        request: Request,
        principal: AuditReader,
        page: PageQuery,
        entity_type: Annotated[str | None, Query(max_length=100)] = None,
        entity_id: Annotated[str | None, Query(max_length=200)] = None,
        actor: Annotated[str | None, Query(max_length=200)] = None,
        action: Annotated[str | None, Query(max_length=100)] = None,
        since: Annotated[datetime | None, Query(alias="from")] = None,
        until: Annotated[datetime | None, Query(alias="to")] = None,
    ) -> Page[AuditRecordPublic]:
        """Who changed what and when, with before/after state (newest first). Auditors, admins."""
        runtime = request.app.state.runtime
        t = runtime.definition.tables.audit_log
        stmt = select(t)
        for column, value in (
            (t.c.entity_type, entity_type), (t.c.entity_id, entity_id),
            (t.c.actor, actor), (t.c.action, action),
        ):  # fmt: skip
            if value is not None:
                stmt = stmt.where(column == value)
        if since is not None:
            stmt = stmt.where(t.c.occurred_at >= since)
        if until is not None:
            stmt = stmt.where(t.c.occurred_at < until)
        async with runtime.sessions() as session:
            rows, next_cursor = await paginate(session, stmt, page, [t.c.id.desc()])
        return Page[AuditRecordPublic](
            items=[AuditRecordPublic.model_validate(dict(r._mapping)) for r in rows],
            next_cursor=next_cursor,
        )

    return router
