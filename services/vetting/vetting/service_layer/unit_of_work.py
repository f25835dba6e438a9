"""The vetting unit of work: one transaction with its repositories, outbox and audit."""

from __future__ import annotations

from shared.db.uow import SqlUnitOfWork
from vetting.adapters.registry_repository import RegistryRepository
from vetting.adapters.repositories import CaseRepository
from vetting.adapters.unit_repository import UnitRepository


class VettingUnitOfWork(SqlUnitOfWork):
    cases: CaseRepository
    registry: RegistryRepository
    units: UnitRepository

    def _start(self) -> None:
        self.cases = CaseRepository(self.session)
        self.registry = RegistryRepository(self.session)
        self.units = UnitRepository(self.session)
