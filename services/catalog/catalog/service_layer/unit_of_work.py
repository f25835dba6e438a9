"""The catalog unit of work: one transaction with its repositories, outbox and audit."""

from __future__ import annotations

from catalog.adapters.repositories import (
    ClassRepository,
    CourseRepository,
    InstitutionRepository,
    SeatRepository,
)
from shared.db.uow import SqlUnitOfWork


class CatalogUnitOfWork(SqlUnitOfWork):
    institutions: InstitutionRepository
    courses: CourseRepository
    classes: ClassRepository
    seats: SeatRepository

    def _start(self) -> None:
        self.institutions = InstitutionRepository(self.session)
        self.courses = CourseRepository(self.session)
        self.classes = ClassRepository(self.session)
        self.seats = SeatRepository(self.session)
