"""The funding unit of work: one transaction with its repositories, outbox and audit."""

from __future__ import annotations

from funding.adapters.repositories.catalog import CatalogReadModel
from funding.adapters.repositories.funds import AllocationRepository, AppropriationRepository
from funding.adapters.repositories.ledger import LedgerRepository
from funding.adapters.repositories.obligations import ObligationRepository, RequestRepository
from funding.adapters.repositories.reference import ReferenceData
from funding.domain.ledger import Posting
from shared.db.uow import SqlUnitOfWork
from shared.observability import request_id_var


class FundingUnitOfWork(SqlUnitOfWork):
    appropriations: AppropriationRepository
    allocations: AllocationRepository
    obligations: ObligationRepository
    requests: RequestRepository
    ledger: LedgerRepository
    catalog: CatalogReadModel
    reference: ReferenceData

    def _start(self) -> None:
        self.appropriations = AppropriationRepository(self.session)
        self.allocations = AllocationRepository(self.session)
        self.obligations = ObligationRepository(self.session)
        self.requests = RequestRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.catalog = CatalogReadModel(self.session)
        self.reference = ReferenceData(self.session)

    async def post(self, postings: list[Posting]) -> None:
        """Append postings to the ledger, attributed to this unit of work's actor and cause."""
        await self.ledger.append(
            postings,
            actor=self.actor.subject,
            request_id=request_id_var.get(),
            cause_event_id=self.cause_event_id,
        )
