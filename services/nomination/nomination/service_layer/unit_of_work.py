"""The nomination unit of work: one transaction with its repositories, outbox and audit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from nomination.adapters.candidate_repository import CandidateRepository
from nomination.adapters.nomination_repository import NominationRepository
from nomination.adapters.reference_repository import ReferenceRepository
from nomination.adapters.travel_order_repository import TravelOrderRepository
from nomination.domain.rules import Rules
from shared.db.uow import SqlUnitOfWork


class NominationUnitOfWork(SqlUnitOfWork):
    nominations: NominationRepository
    candidates: CandidateRepository
    reference: ReferenceRepository
    travel_orders: TravelOrderRepository
    #: The business-rule settings the travel-order review judges with; set by every reaction
    #: (`reactions.configured`) and by the use cases that change what a setting applies to.
    rules: Rules | None = None

    def _start(self) -> None:
        self.nominations = NominationRepository(self.session)
        self.candidates = CandidateRepository(self.session)
        self.reference = ReferenceRepository(self.session)
        self.travel_orders = TravelOrderRepository(self.session)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction whose staged events and audit rows go with it on failure.

        The platform unit of work stages events and audits in memory until `commit()`; a
        rolled-back SAVEPOINT must drop what was staged inside it too (a bulk-import row that
        fails must publish nothing).
        """
        events, audits = len(self._events), len(self._audits)
        nested = await self.session.begin_nested()
        try:
            yield
        except BaseException:
            await nested.rollback()
            del self._events[events:]
            del self._audits[audits:]
            raise
        await nested.commit()
