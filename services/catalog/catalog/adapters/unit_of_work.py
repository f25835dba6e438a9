"""The SQL unit of work of the catalog: its repositories on one session, its outbox and audit
trail (the interface is `catalog.service_layer.unit_of_work.CatalogUnitOfWork`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from catalog.adapters.publishing import stage
from catalog.adapters.repositories.classes import ClassRepository
from catalog.adapters.repositories.courses import CourseRepository
from catalog.adapters.repositories.institutions import InstitutionRepository
from catalog.adapters.repositories.seats import SeatRepository
from catalog.domain.events import DomainEvent
from catalog.domain.offering import CourseClass
from shared.db.uow import SqlUnitOfWork


class SqlCatalogUnitOfWork(SqlUnitOfWork):
    institutions: InstitutionRepository
    courses: CourseRepository
    classes: ClassRepository
    seats: SeatRepository

    def _start(self) -> None:
        self.institutions = InstitutionRepository(self.session)
        self.courses = CourseRepository(self.session)
        self.classes = ClassRepository(self.session)
        self.seats = SeatRepository(self.session)

    def emit(
        self, events: Iterable[DomainEvent], classes: Mapping[UUID, CourseClass] | None = None
    ) -> None:
        """Translate the domain events into contracts, staged in the outbox with the commit."""
        stage(self, events, classes or {})
