"""What a funding use case may use: one transaction with these repositories, the ledger, the
audit trail and the events it raised.

An interface (structural: `typing.Protocol`), implemented by `adapters.unit_of_work`
(PostgreSQL) and by the fast tier's `tests/unit/fakes.py` (memory). Repositories return domain
objects. Nothing here builds a wire contract: a use case emits domain events and the unit of
work stages their contracts (`adapters.publishing`) in the same transaction.

Lock order, everywhere: appropriation -> allocation -> obligation -> tranches (by id); the
`lock=True` reads hold their rows until the transaction ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol
from uuid import UUID

from funding.domain.allocation import AllocationRecord, AppropriationRecord, TrancheSpec
from funding.domain.availability import TrancheState
from funding.domain.catalog_facts import ClassState, CourseState, LineReference
from funding.domain.costing import TlaRate
from funding.domain.events import DomainEvent
from funding.domain.ledger import Posting
from funding.domain.obligation import Obligation, RejectionReason, RequestStatus
from funding.domain.penalties import PenaltyRule
from funding.domain.program import CountryProgram, ProgramLine
from funding.domain.request import FundingRequest
from shared.auth.principal import Principal

Precondition = Callable[[int], None]
"""Given the current version of what is about to change, raise when the caller's copy is stale."""

ReferenceTable = Literal["tla_rate", "travel_cost", "penalty_rule", "funding_parameter"]


class Appropriations(Protocol):
    async def get(self, fiscal_year: int, *, lock: bool = False) -> AppropriationRecord | None: ...
    async def tranches(self, fiscal_year: int, *, lock: bool = False) -> list[TrancheState]:
        """The fiscal year's tranches, the one expiring first first."""

    async def ensure(self, fiscal_year: int) -> bool:
        """Create an empty appropriation (version 0) unless one exists; True when created."""

    async def set_amount(self, record: AppropriationRecord, amount: Decimal) -> None: ...
    async def set_availability(
        self, record: AppropriationRecord, available_from: date, reason: str, actor: str
    ) -> None:
        """Record when the funds become available for obligation (a new version)."""

    async def waiting_years(self, on: date) -> list[int]:
        """Fiscal years whose funds are available `on` and have requests waiting for them."""

    async def touch(self, fiscal_year: int) -> None:
        """A new version: the fiscal year's allocations changed."""

    async def replace_tranches(
        self, fiscal_year: int, specs: list[TrancheSpec], current: list[TrancheState]
    ) -> None:
        """Tranches matched by expiry date are resized, new ones added, dropped ones deleted."""

    async def save_drawn(self, tranches: list[TrancheState]) -> None: ...
    async def allocated_total(self, fiscal_year: int, *, excluding: UUID | None = None) -> Decimal:
        """The sum of the fiscal year's country allocations (but `excluding`)."""


class Allocations(Protocol):
    async def get(self, allocation_id: UUID, *, lock: bool = False) -> AllocationRecord | None: ...
    async def find(
        self, country: str, fiscal_year: int, *, lock: bool = False
    ) -> AllocationRecord | None: ...
    async def add(self, country: str, fiscal_year: int) -> AllocationRecord:
        """A new, empty allocation (version 0); its amount arrives with its first posting."""

    async def save_amount(self, record: AllocationRecord) -> None:
        """Write a changed ceiling (a new version)."""

    async def save_balances(self, record: AllocationRecord) -> None:
        """Write the used balances (never the amount)."""

    async def record_change(
        self,
        record: AllocationRecord,
        previous: Decimal | None,
        reason: str,
        actor: str,
        request_id: str | None,
    ) -> None:
        """Append to the allocation's history: the amount it has now, why, and who."""


class Obligations(Protocol):
    async def get(self, obligation_id: UUID, *, lock: bool = False) -> Obligation | None: ...
    async def active_for(self, nomination_id: UUID) -> Obligation | None: ...
    async def refundable_for(self, nomination_id: UUID) -> Obligation | None:
        """The released obligation of a nomination whose charge a refilled seat refunds."""

    async def add(self, ob: Obligation) -> None: ...
    async def save(self, ob: Obligation) -> None:
        """Write what changed in the line (a new version)."""


class Requests(Protocol):
    async def add_new(self, request: FundingRequest, cause_event_id: str | None) -> bool:
        """Record a request; False when its `request_id` was seen before (nothing changes)."""

    async def get(self, request_id: UUID, *, lock: bool = False) -> FundingRequest | None: ...
    async def pending(
        self,
        *,
        class_id: UUID | None = None,
        masl_id: str | None = None,
        nomination_id: UUID | None = None,
        received_before: datetime | None = None,
        skip_locked: bool = False,
        statuses: tuple[RequestStatus, ...] = (RequestStatus.PENDING_REFERENCE_DATA,),
        fiscal_year: int | None = None,
    ) -> list[FundingRequest]:
        """Requests waiting (for reference data, or in `statuses`), oldest first, locked."""

    async def wait(self, request: FundingRequest, status: RequestStatus) -> None:
        """The request waits (undecided) in `status`."""

    async def decide(
        self,
        request: FundingRequest,
        status: RequestStatus,
        reason: RejectionReason | None = None,
        obligation_id: UUID | None = None,
    ) -> None: ...


class Ledger(Protocol):
    async def postings_of(self, obligation_id: UUID) -> list[Posting]:
        """An obligation's postings, in posting order."""


class CatalogFacts(Protocol):
    """Funding's read model of the catalog (courses, tuition, classes, refilled seats)."""

    async def serialize_course(self, masl_id: str) -> None:
        """Serialise every change that concerns one course's lines until the transaction ends
        (requests, releases and refills vs the course's and its classes' catalog events)."""

    async def apply_course(self, state: CourseState) -> bool:
        """Keep the state when newer than the one known; True when it was applied."""

    async def apply_class(self, state: ClassState) -> bool:
        """Keep the state when newer than the one known; True when it was applied."""

    async def cancel_class(self, class_id: UUID) -> None: ...
    async def line_reference(self, class_id: UUID) -> LineReference | None: ...
    async def class_start(self, class_id: UUID) -> date | None: ...
    async def tuition(self, masl_id: str, fiscal_year: int) -> Decimal | None: ...
    async def record_refill(self, nomination_id: UUID, class_id: UUID, refilled_by: UUID) -> bool:
        """Remember that the nomination's seat was refilled; False when already known."""

    async def is_refilled(self, nomination_id: UUID) -> bool: ...
    async def first_class(self, masl_id: str, fiscal_year: int) -> UUID | None:
        """A known, not cancelled class of the course: the first of the fiscal year, else the
        first of any year (None when funding knows none)."""


class Reference(Protocol):
    """Reference data: the TLA matrix, travel costs, penalty rules and numeric parameters."""

    async def tla_rates(self) -> list[TlaRate]: ...
    async def travel_cost(self, country: str) -> Decimal | None: ...
    async def parameter(self, name: str) -> Decimal:
        """A numeric parameter; MissingReferenceData (a broken deployment) when absent."""

    async def penalty_rules(self) -> list[PenaltyRule]: ...
    async def row(
        self, name: ReferenceTable, key: Any, *, lock: bool = False
    ) -> dict[str, Any] | None:
        """One row of a reference table by its key, as a dict."""

    async def insert(self, name: ReferenceTable, values: dict[str, Any]) -> dict[str, Any]:
        """Insert a row; KeyError when one with this key exists."""

    async def update(
        self, name: ReferenceTable, key: Any, values: dict[str, Any]
    ) -> dict[str, Any]:
        """Change a row (a new version); returns it."""


class Programs(Protocol):
    """Country programs and their training lines (ADR 0115); line fills, exceptions, runs."""

    async def add(self, program: CountryProgram, actor: str) -> None:
        """Insert a program and its lines; KeyError when the country has one for the year."""

    async def get(self, program_id: UUID, *, lock: bool = False) -> CountryProgram | None: ...
    async def find(
        self, country: str, fiscal_year: int, *, lock: bool = False
    ) -> CountryProgram | None: ...
    async def approved(self, fiscal_year: int) -> list[CountryProgram]:
        """The fiscal year's approved programs with their lines, by country."""

    async def save(self, program: CountryProgram, *, approved_by: str | None = None) -> None:
        """Write the program's status (a new version)."""

    async def add_line(self, line: ProgramLine) -> None:
        """KeyError when the program has a line with this work-control number."""

    async def save_line(self, line: ProgramLine) -> None:
        """Write what changed in the line (a new version)."""

    async def open_line(self, country: str, fiscal_year: int, masl_id: str) -> ProgramLine | None:
        """The approved program's first line of the course that still takes a student (A
        before B, oldest first), locked until the transaction ends."""

    async def record_fill(
        self,
        line: ProgramLine,
        request_id: UUID,
        nomination_id: UUID,
        obligation_id: UUID,
        estimated: Decimal,
        actual: Decimal,
    ) -> None: ...
    async def line_filled_by(self, obligation_id: UUID) -> ProgramLine | None:
        """The line the obligation filled (None when it filled none), locked."""

    async def has_exception(self, request_id: UUID) -> bool: ...
    async def record_exception(self, request_id: UUID, reason: str, actor: str) -> None: ...
    async def record_run(
        self,
        run_id: UUID,
        fiscal_year: int,
        dry_run: bool,
        reason: str,
        actor: str,
        result: dict[str, Any],
    ) -> None: ...


class FundingUnitOfWork(Protocol):
    @property
    def actor(self) -> Principal: ...
    @property
    def cause_event_id(self) -> str | None: ...
    @property
    def appropriations(self) -> Appropriations: ...
    @property
    def allocations(self) -> Allocations: ...
    @property
    def obligations(self) -> Obligations: ...
    @property
    def requests(self) -> Requests: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def catalog(self) -> CatalogFacts: ...
    @property
    def reference(self) -> Reference: ...
    @property
    def programs(self) -> Programs: ...

    async def post(self, postings: list[Posting]) -> None:
        """Append postings to the ledger, attributed to the actor and the cause."""

    def emit(self, *events: DomainEvent) -> None:
        """Stage domain events for publishing, in order, with this transaction."""

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Stage an audit record of a state change (who: `actor`)."""

    async def try_lock(self, key: int) -> bool:
        """Take a transaction-scoped lock unless another transaction holds it (jobs)."""

    async def commit(self) -> None:
        """Keep the changes, the ledger postings, the audit records and the emitted events."""
