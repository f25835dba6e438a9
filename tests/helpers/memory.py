"""The fast tier's unit of work: the in-memory twin of `shared.db.uow.SqlUnitOfWork`.

A service's `tests/unit/fakes.py` subclasses `MemoryUnitOfWork` and adds in-memory repositories
(dicts of domain objects) in `_start()`, exactly where its SQL unit of work adds SQL ones. Use
cases and reactions then run unchanged, with no PostgreSQL and no broker: what they published
and audited is in `committed_events` / `committed_audits`, and a unit of work left without
`commit()` keeps nothing (like a rolled-back transaction).

The reactions come from the service's own `ServiceDefinition` (`definition.reactions()`), so a
fast-tier test exercises the same wiring as the consumer.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from shared.auth.principal import Principal, system_actor


@dataclass(frozen=True)
class AuditRecord:
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    actor: str


class MemoryUnitOfWork:
    """Stages events and audit records like the SQL unit of work; `commit()` keeps them."""

    def __init__(self, actor: Principal | None = None, cause_event_id: str | None = None) -> None:
        self.actor = actor or system_actor("test")
        self.cause_event_id = cause_event_id
        self.hold_commits = False
        self.committed_events: list[Any] = []
        self.committed_audits: list[AuditRecord] = []
        self.commits = 0
        self._events: list[Any] = []
        self._audits: list[AuditRecord] = []

    async def __aenter__(self) -> Self:
        self._events, self._audits = [], []
        self._start()
        return self

    def _start(self) -> None:
        """Create the in-memory repositories (override in a service's fakes)."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()

    def publish(self, event: Any) -> None:
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
        self._audits.append(
            AuditRecord(action, entity_type, entity_id, before, after, self.actor.subject)
        )

    async def flush_staged(self) -> None:
        self.committed_events.extend(self._events)
        self.committed_audits.extend(self._audits)
        self._events, self._audits = [], []

    async def commit(self) -> None:
        await self.flush_staged()
        self._commit_repositories()
        self.commits += 1

    def _commit_repositories(self) -> None:
        """Make the repositories' staged changes visible (override when they stage)."""

    async def rollback(self) -> None:
        self._events, self._audits = [], []
        self._rollback_repositories()

    def _rollback_repositories(self) -> None:
        """Drop the repositories' uncommitted changes (override when they stage)."""
