"""The vetting unit of work: one transaction with its repositories, outbox and audit."""

from __future__ import annotations

from shared.db.uow import SqlUnitOfWork


class VettingUnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        pass
