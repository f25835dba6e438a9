"""The SQL unit of work of reporting: the read model's repositories on one session.

Reporting publishes nothing: its outbox stays empty; the audit records changes of the
reference data.
"""

from __future__ import annotations

from reporting.adapters.aggregates import SqlAggregates
from reporting.adapters.repositories import (
    SqlAllocationRepository,
    SqlCaseRepository,
    SqlCountryRepository,
    SqlCourseRepository,
    SqlLineRepository,
    SqlNominationRepository,
    SqlPositionRepository,
)
from shared.db.uow import SqlUnitOfWork


class SqlReportingUnitOfWork(SqlUnitOfWork):
    courses: SqlCourseRepository
    nominations: SqlNominationRepository
    lines: SqlLineRepository
    allocations: SqlAllocationRepository
    cases: SqlCaseRepository
    positions: SqlPositionRepository
    countries: SqlCountryRepository
    aggregates: SqlAggregates

    def _start(self) -> None:
        s = self.session
        self.courses = SqlCourseRepository(s)
        self.nominations = SqlNominationRepository(s)
        self.lines = SqlLineRepository(s)
        self.allocations = SqlAllocationRepository(s)
        self.cases = SqlCaseRepository(s)
        self.positions = SqlPositionRepository(s)
        self.countries = SqlCountryRepository(s)
        self.aggregates = SqlAggregates(s)
