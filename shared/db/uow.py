"""The unit of work: one database transaction that also carries the outbox and the audit trail.

A use case stages integration events (`publish`) and audit records (`audit`) while it changes
state; `commit()` writes them into the same transaction as the change. Either all of it is
committed or none of it: no event is ever published for a change that rolled back.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth.principal import Principal
from shared.contracts.envelope import IntegrationEvent, build_headers
from shared.db.admission import TransactionGate
from shared.db.platform_tables import PlatformTables
from shared.observability import request_id_var
from shared.tracing import outbox_traceparent


class TransactionHeld(RuntimeError):
    """A use case tried to end a transaction its caller owns (see `hold_commits`)."""


@dataclass(frozen=True)
class _Audit:
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class SqlUnitOfWork:
    """Base unit of work; services subclass it to add their repositories in `_start`."""

    session: AsyncSession

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        service: str,
        tables: PlatformTables,
        actor: Principal,
        cause_event_id: str | None = None,
        gate: TransactionGate | None = None,
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._admission: contextlib.AbstractAsyncContextManager[None] | None = None
        self.service = service
        self.tables = tables
        self.actor = actor
        self.cause_event_id = cause_event_id
        self._events: list[IntegrationEvent] = []
        self._audits: list[_Audit] = []
        self.published: list[IntegrationEvent] = []
        #: Set by a caller that owns the transaction (the consumer applying a batch of events):
        #: `commit()` then only writes what is staged and the caller commits once at the end.
        self.hold_commits = False

    async def __aenter__(self) -> Self:
        if self._gate is not None:
            # Wait our turn BEFORE taking a connection (bounded: ServiceBusy after the wait).
            admission = self._gate.admit()
            await admission.__aenter__()
            self._admission = admission
        self.session = self._sessions()
        self._events = []
        self._audits = []
        self._start()
        return self

    def _start(self) -> None:
        """Create repositories bound to `self.session` (override in services)."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self.session.rollback()
        finally:
            try:
                await self.session.close()
            finally:
                admission, self._admission = self._admission, None
                if admission is not None:
                    await admission.__aexit__(None, None, None)

    def publish(self, event: IntegrationEvent) -> None:
        """Stage an integration event; it is written to the outbox by `commit()`."""
        self._events.append(event)

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Stage an audit record of a state change (who is `self.actor`)."""
        self._audits.append(_Audit(action, entity_type, entity_id, before, after))

    async def flush_staged(self) -> None:
        now = datetime.now(UTC)
        request_id = request_id_var.get()
        if self._events:
            rows = []
            for event in self._events:
                event_id = uuid.uuid4()
                headers = build_headers(
                    event_id=str(event_id),
                    event_type=event.TYPE,
                    source=f"/imet/{self.service}",
                    subject=event.aggregate_id(),
                    time=now,
                    traceparent=outbox_traceparent(),
                    request_id=request_id,
                )
                rows.append(
                    {
                        "id": event_id,
                        "aggregatetype": event.AGGREGATE,
                        "aggregateid": event.aggregate_id(),
                        "type": event.TYPE,
                        "topic": event.TOPIC,
                        "payload": event.body(),
                        "headers": headers,
                        "created_at": now,
                    }
                )
            await self.session.execute(insert(self.tables.outbox), rows)
            self.published.extend(self._events)
            self._events = []
        if self._audits:
            await self.session.execute(
                insert(self.tables.audit_log),
                [
                    {
                        "occurred_at": now,
                        "actor": self.actor.subject,
                        "actor_roles": sorted(self.actor.roles),
                        "actor_country": self.actor.country,
                        "action": a.action,
                        "entity_type": a.entity_type,
                        "entity_id": a.entity_id,
                        "before": a.before,
                        "after": a.after,
                        "request_id": request_id,
                        "cause_event_id": self.cause_event_id,
                    }
                    for a in self._audits
                ],
            )
            self._audits = []

    async def commit(self) -> None:
        await self.flush_staged()
        if self.hold_commits:
            # Core statements ran already; only ORM state would need a flush (a consumer
            # applying a batch calls this once per event: skip the no-op round through the
            # greenlet bridge).
            if self.session.new or self.session.dirty or self.session.deleted:
                await self.session.flush()
            return
        await self.session.commit()

    async def rollback(self) -> None:
        if self.hold_commits:
            # Rolling back would silently drop the other work of the caller's transaction.
            raise TransactionHeld("rollback() inside a transaction owned by the caller")
        self._events = []
        self._audits = []
        await self.session.rollback()
