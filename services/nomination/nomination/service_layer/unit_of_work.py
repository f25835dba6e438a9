"""What a nomination use case may touch: the unit of work and its repositories (interfaces).

`adapters.unit_of_work.SqlNominationUnitOfWork` implements them on PostgreSQL (one transaction,
the outbox and the audit trail); `tests/unit/fakes/` implements them in memory. Repositories
hand out domain objects (`Nomination`, `Candidate`, `TravelOrder`, `Country`, ...), never rows.
A write that breaks a unique rule raises `domain.errors.ConstraintViolated`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from nomination.domain.candidate import Candidate
from nomination.domain.events import DomainEvent
from nomination.domain.import_job import ImportJob, LineResult
from nomination.domain.nomination import HistoryEntry, Nomination
from nomination.domain.reference import (
    ClassFacts,
    Country,
    CountryFacts,
    CountryRevision,
    CourseFacts,
    Unit,
)
from nomination.domain.rules import Rules
from nomination.domain.states import State
from nomination.domain.travel_order import TravelOrder
from shared.auth.principal import Principal


class Nominations(Protocol):
    async def add(self, values: dict[str, Any]) -> Nomination: ...

    async def get(self, nomination_id: UUID, *, for_update: bool = False) -> Nomination | None:
        """The nomination (`for_update`: locked until the unit of work ends)."""
        ...

    async def update(self, current: Nomination, values: dict[str, Any]) -> Nomination:
        """Write `values` on a locked nomination, bump its version; the stored nomination."""
        ...

    async def open_for(self, candidate_id: UUID, class_id: UUID) -> Nomination | None:
        """The candidate's nomination for the class that has not ended, if any."""
        ...

    async def person_is_active_in_class(
        self, class_id: UUID, fingerprint: str, *, other_than: UUID
    ) -> bool: ...

    async def ids_in_class(self, class_id: UUID, states: Iterable[State]) -> list[UUID]: ...

    async def ids_in_country(self, country: str, states: Iterable[State]) -> list[UUID]: ...

    async def ids_of_candidate(self, candidate_id: UUID, states: Iterable[State]) -> list[UUID]: ...

    async def add_history(
        self,
        nomination_id: UUID,
        *,
        kind: str,
        actor: str,
        cause_event_id: str | None,
        from_state: str | None = None,
        to_state: str | None = None,
        reason: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None: ...

    async def history(self, nomination_id: UUID) -> list[HistoryEntry]: ...


class Candidates(Protocol):
    async def add(self, values: dict[str, Any]) -> Candidate | None:
        """The new candidate; None when (country, passport number) is already taken."""
        ...

    async def get(self, candidate_id: UUID, *, for_update: bool = False) -> Candidate | None: ...

    async def by_passport(self, country: str, passport_number: str) -> Candidate | None: ...

    async def by_passports(self, country: str, passport_numbers: list[str]) -> list[Candidate]:
        """The candidates of `country` holding any of the passports (one round trip)."""
        ...

    async def update(
        self, candidate_id: UUID, version: int, values: dict[str, Any]
    ) -> Candidate | None:
        """Write `values` if the candidate is still at `version`; None when someone else won."""
        ...


class TravelOrders(Protocol):
    async def next_serial(self, country: str) -> int: ...

    async def current(self, nomination_id: UUID) -> TravelOrder | None:
        """The order in force: neither superseded nor recalled (at most one)."""
        ...

    async def nominations_holding_current(
        self, *, class_id: UUID | None = None, masl_id: str | None = None
    ) -> list[UUID]: ...

    async def latest(self, nomination_id: UUID) -> TravelOrder | None: ...

    async def recall(
        self, order_id: UUID, at: datetime, reason: str, detail: dict[str, Any]
    ) -> TravelOrder: ...

    async def get(self, nomination_id: UUID, version: int) -> TravelOrder | None: ...

    async def all_of(self, nomination_id: UUID) -> list[TravelOrder]: ...

    async def supersede(self, order_id: UUID, at: datetime) -> None: ...

    async def add(
        self,
        *,
        nomination_id: UUID,
        version: int,
        number: str,
        content: dict[str, Any],
        digest: str,
        issued_at: datetime,
        issued_by: str,
    ) -> TravelOrder: ...


class Reference(Protocol):
    """The catalog read model, the vetting units and the country reference data.

    The read-model writes take the state-carrying catalog/vetting contract as it arrived (typed
    `Any` here: the service layer knows no wire contract); each is applied only when newer."""

    async def upsert_course(self, event: Any) -> bool: ...

    async def upsert_class(self, event: Any) -> bool: ...

    async def upsert_unit(self, event: Any) -> None: ...

    async def cancel_class(self, class_id: UUID, cancelled_at: datetime) -> bool: ...

    async def unit(self, unit_id: UUID) -> Unit | None: ...

    async def class_facts(self, class_id: UUID) -> ClassFacts | None: ...

    async def course_facts(self, masl_id: str) -> CourseFacts | None: ...

    async def country_facts(self, iso3: str) -> CountryFacts | None: ...

    async def country_record(self, iso3: str, *, for_update: bool = False) -> Country | None: ...

    async def save_country(self, values: dict[str, Any], actor: str) -> Country: ...

    async def country_revisions(self, iso3: str) -> list[CountryRevision]: ...


class ImportJobs(Protocol):
    """Bulk imports as jobs (ADR 0128): the queue, the rows' input and their results."""

    async def add(self, job: ImportJob, rows: list[Any]) -> ImportJob:
        """Store a queued job and one pending row per uploaded row (line numbers from 1)."""
        ...

    async def get(self, job_id: UUID) -> ImportJob | None: ...

    async def same_upload(self, scope: str, fingerprint: str) -> ImportJob | None:
        """The job of an earlier upload of the same file that a re-upload is: unfinished, or
        completed without a rejected row. Serializes concurrent uploads of one file."""
        ...

    async def claim(
        self, worker: str, lease_seconds: float, job_id: UUID | None = None
    ) -> ImportJob | None:
        """Take a queued job, or a running one whose lease lapsed (the oldest; `job_id`: only
        that one), skipping jobs another worker holds. Now `running`, held by `worker`."""
        ...

    async def hold(self, job_id: UUID, worker: str, lease_seconds: float) -> bool:
        """Lock the job for this chunk and extend the lease; False when `worker` lost it."""
        ...

    async def pending(self, job_id: UUID, limit: int) -> list[tuple[int, Any]]:
        """The next rows without a result: (line, the row as uploaded), by line."""
        ...

    async def record(self, job_id: UUID, results: list[LineResult]) -> ImportJob:
        """Store the rows' results (their input erased) and add them to the job's progress."""
        ...

    async def finish(self, job_id: UUID, status: str, error: str | None = None) -> ImportJob: ...

    async def results(self, job_id: UUID) -> list[LineResult]:
        """The results recorded so far, by line."""
        ...


#: Where the time comes from: the bootstrap's clock (`definition.extra["clock"]`), a fixed one in
#: tests. No use case reads the system clock.
Clock = Callable[[], datetime]


class NominationUnitOfWork(Protocol):
    """One transaction: the repositories, the domain events raised, the audit trail."""

    actor: Principal
    cause_event_id: str | None
    #: The time as the use cases see it (the process manager's deep steps - the travel-order
    #: review, a recall, an event's day - read it here; the entry points' `today` come from it).
    clock: Clock
    #: The rule settings the travel-order review judges with (set by reactions and use cases).
    rules: Rules | None

    @property
    def nominations(self) -> Nominations: ...

    @property
    def candidates(self) -> Candidates: ...

    @property
    def reference(self) -> Reference: ...

    @property
    def travel_orders(self) -> TravelOrders: ...

    @property
    def imports(self) -> ImportJobs: ...

    def emit(self, *events: DomainEvent) -> None:
        """Raise domain events; they leave as contracts with the commit, in this order."""
        ...

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None: ...

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """A nested transaction: what it wrote, raised and audited goes with it on failure."""
        ...

    async def commit(self) -> None: ...
