"""The fast tier's nomination unit of work: `NominationUnitOfWork` in memory.

`MemoryNominationUnitOfWork` works on a copy of a shared `NominationStore` (what the tables
hold) that only `commit()` writes back; a savepoint restores what it copied, with the events and
audits staged inside it. Domain events become contracts through the service's own
`adapters.publishing`, so `committed_events` are the contracts the outbox would hold.

Check the fake against the protocol with `mypy -p services.nomination.tests.unit.fakes`
(`make lint` does not type-check tests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from nomination.adapters import publishing
from nomination.domain.events import DomainEvent
from nomination.domain.rules import Rules
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from services.nomination.tests.unit.fakes.candidates import MemoryCandidates
from services.nomination.tests.unit.fakes.imports import MemoryImports
from services.nomination.tests.unit.fakes.nominations import MemoryNominations
from services.nomination.tests.unit.fakes.reference import MemoryReference
from services.nomination.tests.unit.fakes.store import NominationStore
from services.nomination.tests.unit.fakes.travel_orders import MemoryTravelOrders
from shared.auth.principal import Principal
from tests.helpers.memory import MemoryUnitOfWork

__all__ = ["MemoryNominationUnitOfWork", "NominationStore"]


class MemoryNominationUnitOfWork(MemoryUnitOfWork):
    rules: Rules | None = None

    def __init__(
        self,
        store: NominationStore,
        actor: Principal | None = None,
        cause_event_id: str | None = None,
        *,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(actor, cause_event_id)
        self.clock = clock  # the test's (`FakeNomination.now`)
        self.store = store
        self.work = store.snapshot()

    def _start(self) -> None:
        self.work = self.store.snapshot()
        self.nominations = MemoryNominations(self.work)
        self.candidates = MemoryCandidates(self.work)
        self.reference = MemoryReference(self.work)
        self.travel_orders = MemoryTravelOrders(self.work)
        self.imports = MemoryImports(self.work)

    def emit(self, *events: DomainEvent) -> None:
        publishing.stage(self.publish, events)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        before = self.work.snapshot()
        events, audits = len(self._events), len(self._audits)
        try:
            yield
        except BaseException:
            self.work.restore(before)
            del self._events[events:]
            del self._audits[audits:]
            raise

    def _commit_repositories(self) -> None:
        self.store.restore(self.work.snapshot())

    def _rollback_repositories(self) -> None:
        self.work.restore(self.store.snapshot())


def _is_a_nomination_unit_of_work(uow: MemoryNominationUnitOfWork) -> NominationUnitOfWork:
    # Checked by `mypy -p services.nomination.tests.unit.fakes`.
    return uow
