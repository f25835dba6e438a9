"""What the reporting use cases may touch: the read model's repositories (protocols).

Implemented by `adapters.unit_of_work.SqlReportingUnitOfWork`. Every method is idempotent or
additive on purpose: the consumer's inbox drops a redelivered event, so additive facts (money
released, charges) are applied exactly once.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from reporting.domain.facts import CountryRef, CourseFact, LineFact


class CourseRepository(Protocol):
    async def upsert(self, course: CourseFact, version: int) -> None:
        """Keep the newest version of a course's facts."""


class NominationRepository(Protocol):
    async def record(
        self,
        nomination_id: UUID,
        *,
        country: str,
        fiscal_year: int,
        masl_id: str,
        class_id: UUID,
        candidate_id: UUID | None,
        unit_name: str | None = None,
        at: datetime,
    ) -> None:
        """Create the nomination (state `draft`) or complete its facts."""

    async def unit_changed(self, nomination_id: UUID, unit_name: str) -> None:
        """The candidate's latest unit."""

    async def move(self, nomination_id: UUID, to_state: str, at: datetime) -> None:
        """Close the open stay in a state and open one in `to_state`."""

    async def training_ended(
        self, nomination_id: UUID, *, completed: bool, days_attended: int
    ) -> None: ...


class LineRepository(Protocol):
    async def obligated(self, line: LineFact) -> None:
        """Add an obligation to the nomination's line (a re-obligation adds up)."""

    async def released(
        self,
        nomination_id: UUID,
        *,
        returned: Decimal,
        lapsed: Decimal,
        refunded_penalty: Decimal,
    ) -> None: ...

    async def charged(self, nomination_id: UUID, amount: Decimal) -> None: ...


class AllocationRepository(Protocol):
    async def set(
        self, allocation_id: UUID, *, country: str, fiscal_year: int, amount: Decimal
    ) -> None: ...


class CaseRepository(Protocol):
    async def opened(
        self, case_id: UUID, *, nomination_id: UUID, country: str, opened_on: date, due_on: date
    ) -> None: ...

    async def decided(
        self, case_id: UUID, *, nomination_id: UUID, country: str, outcome: str, on: date
    ) -> None:
        """Record the case's first result (a later one does not replace it)."""


class PositionRepository(Protocol):
    async def applied(self, topic: str, at: datetime) -> None:
        """One more event of `topic` applied; keep the newest event time."""


class CountryRepository(Protocol):
    async def get(self, code: str) -> CountryRef | None: ...

    async def put(self, country: CountryRef) -> None: ...


class AggregateRepository(Protocol):
    def of_nomination(self, nomination_id: UUID, part: str) -> AbstractAsyncContextManager[None]:
        """Around a change of the nomination's facts of `part` ("line", "stays", "trained",
        "cases", "moved" (stays and trained), "nomination"): move the pre-aggregated
        projections those facts feed from its old contribution to the new one (ADR 0140)."""


class ReportingUnitOfWork(Protocol):
    @property
    def courses(self) -> CourseRepository: ...

    @property
    def nominations(self) -> NominationRepository: ...

    @property
    def lines(self) -> LineRepository: ...

    @property
    def allocations(self) -> AllocationRepository: ...

    @property
    def cases(self) -> CaseRepository: ...

    @property
    def positions(self) -> PositionRepository: ...

    @property
    def countries(self) -> CountryRepository: ...

    @property
    def aggregates(self) -> AggregateRepository: ...

    async def commit(self) -> None: ...

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None: ...
