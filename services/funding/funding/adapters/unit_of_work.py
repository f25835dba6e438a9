"""The SQL unit of work of funding: the repositories on one session, the ledger, the outbox and
the audit trail. Emitted domain events become contracts here (`adapters.publishing`) and are
staged in the outbox of the same transaction."""

from __future__ import annotations

from sqlalchemy import func, select

from funding.adapters import publishing
from funding.adapters.repositories import (
    AllocationRepository,
    AppropriationRepository,
    CatalogReadModel,
    LedgerRepository,
    ObligationRepository,
    ProgramRepository,
    ReferenceData,
    RequestRepository,
)
from funding.domain.events import DomainEvent
from funding.domain.ledger import Posting
from shared.db.uow import SqlUnitOfWork
from shared.observability import request_id_var


class SqlFundingUnitOfWork(SqlUnitOfWork):
    appropriations: AppropriationRepository
    allocations: AllocationRepository
    obligations: ObligationRepository
    requests: RequestRepository
    ledger: LedgerRepository
    catalog: CatalogReadModel
    reference: ReferenceData
    programs: ProgramRepository

    def _start(self) -> None:
        self.appropriations = AppropriationRepository(self.session)
        self.allocations = AllocationRepository(self.session)
        self.obligations = ObligationRepository(self.session)
        self.requests = RequestRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.catalog = CatalogReadModel(self.session)
        self.reference = ReferenceData(self.session)
        self.programs = ProgramRepository(self.session)

    async def post(self, postings: list[Posting]) -> None:
        """Append postings to the ledger, attributed to this unit of work's actor and cause."""
        await self.ledger.append(
            postings,
            actor=self.actor.subject,
            request_id=request_id_var.get(),
            cause_event_id=self.cause_event_id,
        )

    def emit(self, *events: DomainEvent) -> None:
        publishing.stage(self.publish, events)

    async def try_lock(self, key: int) -> bool:
        """Take a transaction-scoped advisory lock if no other transaction holds it."""
        locked = await self.session.execute(select(func.pg_try_advisory_xact_lock(key)))
        return bool(locked.scalar_one())
