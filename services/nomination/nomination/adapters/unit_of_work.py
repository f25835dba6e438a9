"""The SQL unit of work of nomination: its repositories on one session, the outbox, the audit.

Domain events the use cases raise (`emit`) become contracts here (`adapters.publishing`) and are
staged in the outbox of the same transaction, in the order they were raised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import cast

from sqlalchemy.exc import IntegrityError

from nomination.adapters import publishing
from nomination.adapters.repositories import (
    CandidateRepository,
    ImportJobRepository,
    NominationRepository,
    ReferenceRepository,
    TravelOrderRepository,
)
from nomination.domain.errors import ConstraintViolated
from nomination.domain.events import DomainEvent
from nomination.domain.rules import Rules
from shared.db.uow import SqlUnitOfWork


class SqlNominationUnitOfWork(SqlUnitOfWork):
    nominations: NominationRepository
    candidates: CandidateRepository
    reference: ReferenceRepository
    travel_orders: TravelOrderRepository
    imports: ImportJobRepository
    #: The business-rule settings the travel-order review judges with; set by every reaction
    #: (`entrypoints.reactions`) and by the use cases that change what a setting applies to.
    rules: Rules | None = None
    #: The time the use cases see: set on the class the bootstrap wires (`with_clock`).
    clock: Callable[[], datetime]

    @classmethod
    def with_clock(cls, clock: Callable[[], datetime]) -> type[SqlNominationUnitOfWork]:
        """This unit of work, its use cases seeing the time of `clock` (the bootstrap's)."""
        made = type(cls.__name__, (cls,), {"clock": staticmethod(clock), "__doc__": cls.__doc__})
        return cast(type[SqlNominationUnitOfWork], made)

    def _start(self) -> None:
        self.nominations = NominationRepository(self.session)
        self.candidates = CandidateRepository(self.session)
        self.reference = ReferenceRepository(self.session)
        self.travel_orders = TravelOrderRepository(self.session)
        self.imports = ImportJobRepository(self.session)

    def emit(self, *events: DomainEvent) -> None:
        publishing.stage(self.publish, events)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction whose staged events and audit rows go with it on failure.

        The platform unit of work stages events and audits in memory until `commit()`; a
        rolled-back SAVEPOINT must drop what was staged inside it too (a bulk-import row that
        fails must publish nothing). A unique rule the database enforces raises
        `ConstraintViolated` (the use case names the business rule).
        """
        events, audits = len(self._events), len(self._audits)
        nested = await self.session.begin_nested()
        try:
            yield
        except BaseException as exc:
            await nested.rollback()
            del self._events[events:]
            del self._audits[audits:]
            if isinstance(exc, IntegrityError):
                raise ConstraintViolated(str(exc.orig)) from exc
            raise
        await nested.commit()
