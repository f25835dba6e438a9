"""The SQL unit of work of vetting: the repositories on one session, the outbox and the audit.

When it writes what is staged (`flush_staged`, part of `commit`), it first collects the domain
events raised by the aggregates its repositories handed out or stored - in the order they were
first seen, each aggregate's in the order raised - and stages their contracts in the outbox, so
an event is published exactly when its change is committed.
"""

from __future__ import annotations

from sqlalchemy import func, select

from shared.db.uow import SqlUnitOfWork
from vetting.adapters import publishing
from vetting.adapters.repositories import (
    SqlCaseRepository,
    SqlClosedNominations,
    SqlRegistryRepository,
    SqlUnitRepository,
)
from vetting.domain.events import RaisesEvents, collect


class SqlVettingUnitOfWork(SqlUnitOfWork):
    cases: SqlCaseRepository
    nominations: SqlClosedNominations
    registry: SqlRegistryRepository
    units: SqlUnitRepository

    def _start(self) -> None:
        self._seen: list[RaisesEvents] = []
        self.cases = SqlCaseRepository(self.session, self._seen)
        self.nominations = SqlClosedNominations(self.session)
        self.registry = SqlRegistryRepository(self.session)
        self.units = SqlUnitRepository(self.session, self._seen)

    async def flush_staged(self) -> None:
        publishing.stage(self.publish, collect(self._seen))
        await super().flush_staged()

    async def rollback(self) -> None:
        await super().rollback()
        for aggregate in self._seen:
            aggregate.events.clear()  # what a rolled-back change raised never happened

    async def try_lock(self, key: int) -> bool:
        """Take a transaction-scoped advisory lock if no other transaction holds it."""
        locked = await self.session.execute(select(func.pg_try_advisory_xact_lock(key)))
        return bool(locked.scalar_one())
