"""Funding's fast tier: in-memory repositories and a unit of work on `MemoryUnitOfWork`.

`FakeFundingUnitOfWork` is the twin of `funding.adapters.unit_of_work.SqlFundingUnitOfWork`
behind the same interface (`funding.service_layer.unit_of_work.FundingUnitOfWork`). Each unit of
work changes a copy of the committed `FundingStore`, and only `commit()` makes the changes what
the next unit of work sees (a unit of work left without commit keeps nothing). Reads hand out
copies, as if read from rows; a save writes only the columns its SQL twin writes.

The store refuses what PostgreSQL refuses (`ConstraintViolated`: a bug in a use case, never a
business outcome): allocations above their appropriation (the two triggers), an allocation's
used balances above its amount or below zero (the Anti-Deficiency CHECK), a tranche drawn below
zero or above its amount, a second active obligation of a nomination, an obligation whose amount
is not its cost. The reference data is seeded from the migration that seeds PostgreSQL, so the
defaults are the same numbers. Domain events become contracts through the same
`funding.adapters.publishing`; committed contracts and audit records land in `store.outbox` and
`store.audits`, in commit order.

One module per aggregate, like `funding/adapters/repositories/`: `store` (the state and the
database's refusals), `funds` (appropriations, allocations), `lines` (obligations, requests,
ledger), `catalog` (the read model), `reference`.
"""

from __future__ import annotations

from funding.adapters import publishing
from funding.domain.events import DomainEvent
from funding.domain.ledger import Posting
from funding.service_layer.unit_of_work import FundingUnitOfWork
from services.funding.tests.unit.fakes.catalog import FakeCatalogFacts
from services.funding.tests.unit.fakes.funds import FakeAllocations, FakeAppropriations
from services.funding.tests.unit.fakes.lines import FakeLedger, FakeObligations, FakeRequests
from services.funding.tests.unit.fakes.programs import FakePrograms
from services.funding.tests.unit.fakes.reference import FakeReference
from services.funding.tests.unit.fakes.store import (
    AllocationChange,
    ConstraintViolated,
    FundingStore,
    LedgerEntry,
)
from shared.auth.principal import Principal
from tests.helpers.memory import MemoryUnitOfWork

__all__ = [
    "AllocationChange",
    "ConstraintViolated",
    "FakeFundingUnitOfWork",
    "FundingStore",
    "LedgerEntry",
]


class FakeFundingUnitOfWork(MemoryUnitOfWork):
    """`FundingUnitOfWork` in memory, over a `FundingStore` shared by a test's units of work."""

    appropriations: FakeAppropriations
    allocations: FakeAllocations
    obligations: FakeObligations
    requests: FakeRequests
    ledger: FakeLedger
    catalog: FakeCatalogFacts
    reference: FakeReference
    programs: FakePrograms

    def __init__(
        self,
        store: FundingStore,
        actor: Principal | None = None,
        cause_event_id: str | None = None,
    ) -> None:
        super().__init__(actor, cause_event_id)
        self.store = store
        self._work = FundingStore()
        self._locks: set[int] = set()

    def _start(self) -> None:
        self._work.become(self.store)
        self.appropriations = FakeAppropriations(self._work)
        self.allocations = FakeAllocations(self._work)
        self.obligations = FakeObligations(self._work)
        self.requests = FakeRequests(self._work)
        self.ledger = FakeLedger(self._work)
        self.catalog = FakeCatalogFacts(self._work)
        self.reference = FakeReference(self._work)
        self.programs = FakePrograms(self._work)

    async def post(self, postings: list[Posting]) -> None:
        for p in postings:
            seq = len(self._work.ledger) + 1
            self._work.ledger.append(
                LedgerEntry(seq, p, self.actor.subject, None, self.cause_event_id)
            )

    def emit(self, *events: DomainEvent) -> None:
        publishing.stage(self.publish, events)

    async def try_lock(self, key: int) -> bool:
        """A transaction-scoped lock: refused while another open unit of work holds it."""
        if key in self.store.locks and key not in self._locks:
            return False
        self.store.locks.add(key)
        self._locks.add(key)
        return True

    async def flush_staged(self) -> None:
        """The SQL unit of work writes staged events into the open transaction, which a
        rollback still undoes; here they stay staged until `commit()`, to the same effect."""

    async def commit(self) -> None:
        self._commit_repositories()
        self.store.outbox.extend(self._events)
        self.store.audits.extend(self._audits)
        await MemoryUnitOfWork.flush_staged(self)
        self.commits += 1
        self._release_locks()

    def _commit_repositories(self) -> None:
        self.store.become(self._work)

    def _rollback_repositories(self) -> None:
        self._work.become(self.store)
        self._release_locks()

    def _release_locks(self) -> None:
        self.store.locks -= self._locks
        self._locks.clear()


def _is_a_funding_unit_of_work(uow: FakeFundingUnitOfWork) -> FundingUnitOfWork:
    # `mypy -p services.funding.tests.unit.fakes`: the fake gives what the interface lists.
    return uow
