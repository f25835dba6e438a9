"""The catalog unit of work: one transaction with its repositories, outbox and audit."""

from __future__ import annotations

from shared.db.uow import SqlUnitOfWork


class CatalogUnitOfWork(SqlUnitOfWork):
    def _start(self) -> None:
        pass
