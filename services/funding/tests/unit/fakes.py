"""Funding's fast tier: in-memory repositories and a unit of work on `MemoryUnitOfWork`.

`FakeFundingUnitOfWork` is the twin of `funding.adapters.unit_of_work.SqlFundingUnitOfWork`
behind the same interface (`funding.service_layer.unit_of_work.FundingUnitOfWork`). Each unit of
work changes a copy of the committed `FundingStore`, and only `commit()` makes the changes what
the next unit of work sees (a unit of work left without commit keeps nothing). Reads hand out
copies, as if read from rows; a save writes only the columns its SQL twin writes.

The store refuses what PostgreSQL refuses (`ConstraintViolated`: a bug in a use case, never a
business outcome): allocations above their appropriation (the two triggers), an allocation's
used balances above its amount or below zero (the Anti-Deficiency CHECK), a tranche drawn below
zero or above its amount, a second active obligation of a nomination, an obligation whose amount
is not its cost. The reference data is seeded from the migration that seeds PostgreSQL, so the
defaults are the same numbers. Domain events become contracts through the same
`funding.adapters.publishing`; committed contracts and audit records land in `store.outbox` and
`store.audits`, in commit order.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from funding.adapters import publishing
from funding.adapters.repositories.reference import MissingReferenceData
from funding.domain.allocation import (
    AllocationBalance,
    AllocationRecord,
    AppropriationRecord,
    TrancheSpec,
)
from funding.domain.availability import TrancheState
from funding.domain.calendar import fiscal_year_bounds
from funding.domain.catalog_facts import ClassState, CourseState, LineReference
from funding.domain.costing import TlaRate
from funding.domain.events import DomainEvent
from funding.domain.ledger import (
    CountryBalances,
    Posting,
    account_balances,
    country_balances,
    totals_of,
)
from funding.domain.money import ZERO
from funding.domain.obligation import Obligation, ObligationStatus, RejectionReason, RequestStatus
from funding.domain.penalties import CourseKind, Initiator, PenaltyRule, Trigger
from funding.domain.request import FundingRequest
from funding.service_layer.unit_of_work import FundingUnitOfWork, ReferenceTable
from shared.auth.principal import Principal
from shared.contracts.envelope import IntegrationEvent
from tests.helpers.memory import AuditRecord, MemoryUnitOfWork

T = TypeVar("T")

MIGRATION = (
    Path(__file__).resolve().parents[2] / "migrations/versions/2026_11_30_0003_reference_data.py"
)


class ConstraintViolated(AssertionError):
    """What the database would refuse (a CHECK, a unique index, a trigger): a bug in a use case,
    never a business outcome, so the test fails."""


@dataclass(frozen=True)
class LedgerEntry:
    seq: int
    posting: Posting
    actor: str
    request_id: str | None
    cause_event_id: str | None


@dataclass(frozen=True)
class AllocationChange:
    allocation_id: uuid.UUID
    previous_amount: Decimal | None
    new_amount: Decimal
    reason: str
    actor: str


def _reference_rows() -> dict[str, dict[Any, dict[str, Any]]]:
    """A fresh copy of the reference rows migration 0003 inserts."""
    return copy.deepcopy(_seeded_rows())


@functools.cache
def _seeded_rows() -> dict[str, dict[Any, dict[str, Any]]]:
    """The reference rows migration 0003 inserts, keyed as their tables are."""
    spec = importlib.util.spec_from_file_location("funding_reference_migration", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    seeded = {"version": 1, "updated_at": datetime(2026, 11, 30, tzinfo=UTC)}
    tla = {}
    for (gq, gm, dep), (lodging, meals) in migration.TLA_MATRIX.items():
        rate_id = uuid.uuid5(migration._NS, f"tla:{gq}:{gm}:{dep}")
        tla[rate_id] = {
            "id": rate_id,
            "government_quarters": gq,
            "government_mess": gm,
            "with_dependents": dep,
            "lodging_per_day": Decimal(lodging),
            "meals_per_day": Decimal(meals),
        } | seeded
    parameters = {
        name: {"name": name, "value": Decimal(value), "unit": unit, "description": text} | seeded
        for name, value, unit, text in migration.PARAMETERS
    }
    rules = {
        code: {
            "code": code,
            "description": text,
            "trigger": trigger,
            "initiated_by": initiated_by,
            "course_kind": kind,
            "within_days_before_start": within,
            "percent_of_tuition": Decimal(percent),
            "prorate_by_attendance": prorate,
            "waived_when_refilled": waived,
            "priority": priority,
            "active": True,
        }
        | seeded
        for code, text, trigger, initiated_by, kind, within, percent, prorate, waived, priority in (
            migration.PENALTY_RULES
        )
    }
    return {
        "tla_rate": tla,
        "travel_cost": {},
        "penalty_rule": rules,
        "funding_parameter": parameters,
    }


KEYS: dict[str, str] = {
    "tla_rate": "id",
    "travel_cost": "country",
    "penalty_rule": "code",
    "funding_parameter": "name",
}


@dataclass
class FundingStore:
    """Funding's committed state: what PostgreSQL holds for the SQL repositories."""

    appropriations: dict[int, AppropriationRecord] = field(default_factory=dict)
    tranches: dict[uuid.UUID, TrancheState] = field(default_factory=dict)
    allocations: dict[uuid.UUID, AllocationRecord] = field(default_factory=dict)
    allocation_changes: list[AllocationChange] = field(default_factory=list)
    obligations: dict[uuid.UUID, Obligation] = field(default_factory=dict)
    requests: dict[uuid.UUID, FundingRequest] = field(default_factory=dict)
    received_at: dict[uuid.UUID, datetime] = field(default_factory=dict)
    decided_at: dict[uuid.UUID, datetime] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    courses: dict[str, CourseState] = field(default_factory=dict)
    classes: dict[uuid.UUID, ClassState] = field(default_factory=dict)
    refills: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = field(default_factory=dict)
    reference: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=_reference_rows)
    ticks: int = 0
    # Not part of a transaction's copy: appended on commit, or held across units of work.
    outbox: list[IntegrationEvent] = field(default_factory=list)
    audits: list[AuditRecord] = field(default_factory=list)
    locks: set[int] = field(default_factory=set)

    SHARED = frozenset({"outbox", "audits", "locks"})

    def now(self) -> datetime:
        """The database's `now()` of a new row: later for every row, whatever the test's clock."""
        self.ticks += 1
        return datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=self.ticks)

    def become(self, other: FundingStore) -> None:
        for f in fields(self):
            if f.name not in self.SHARED:
                setattr(self, f.name, copy.deepcopy(getattr(other, f.name)))

    # --- what tests read ---

    def published(self) -> list[tuple[str, dict[str, Any]]]:
        """(short type, body) of every committed event, in order."""
        return [(e.TYPE.split(".")[2], e.body()) for e in self.outbox]

    def types(self) -> list[str]:
        return [kind for kind, _ in self.published()]

    def postings(self) -> list[Posting]:
        return [e.posting for e in self.ledger]

    def ledger_balances(self, country: str, fiscal_year: int) -> CountryBalances:
        """A country's balances derived from the ledger (what the consistency check derives)."""
        return country_balances(account_balances(totals_of(self.postings())), fiscal_year, country)

    def stored_balances(self, country: str, fiscal_year: int) -> CountryBalances:
        """The balances stored on the country's allocation."""
        found = [
            a
            for a in self.allocations.values()
            if (a.country, a.fiscal_year) == (country, fiscal_year)
        ]
        if not found:
            return CountryBalances(ZERO, ZERO, ZERO, ZERO)
        b = found[0].balance
        return CountryBalances(b.available, b.obligated, b.charged, b.lapsed)

    def obligation_of(self, nomination_id: uuid.UUID) -> Obligation:
        (found,) = [o for o in self.obligations.values() if o.nomination_id == nomination_id]
        return copy.deepcopy(found)


def _copy(item: T) -> T:
    return copy.deepcopy(item)


def _check_allocations_fit(store: FundingStore, fiscal_year: int) -> None:
    """Triggers `allocation_within_appropriation` and `appropriation_covers_allocations`."""
    appropriation = store.appropriations.get(fiscal_year)
    allocated = sum(
        (a.balance.amount for a in store.allocations.values() if a.fiscal_year == fiscal_year),
        ZERO,
    )
    if appropriation is None or allocated > appropriation.amount:
        raise ConstraintViolated(f"FY{fiscal_year}: allocations {allocated} above appropriation")


def _check_allocation(record: AllocationRecord) -> None:
    """The allocation's CHECKs: used balances not negative, Anti-Deficiency."""
    b = record.balance
    if min(b.amount, b.obligated, b.charged, b.lapsed) < 0 or b.used > b.amount:
        raise ConstraintViolated(f"allocation {record.id}: {b}")


class FakeAppropriations:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def get(self, fiscal_year: int, *, lock: bool = False) -> AppropriationRecord | None:
        found = self.store.appropriations.get(fiscal_year)
        if found is None:
            return None
        return replace(_copy(found), tranches=await self.tranches(fiscal_year))

    async def tranches(self, fiscal_year: int, *, lock: bool = False) -> list[TrancheState]:
        found = [t for t in self.store.tranches.values() if t.fiscal_year == fiscal_year]
        return [_copy(t) for t in sorted(found, key=lambda t: t.available_until)]

    async def ensure(self, fiscal_year: int) -> bool:
        if fiscal_year in self.store.appropriations:
            return False
        first_day, _ = fiscal_year_bounds(fiscal_year)
        self.store.appropriations[fiscal_year] = AppropriationRecord(
            fiscal_year, ZERO, 0, available_from=first_day
        )
        return True

    async def set_amount(self, record: AppropriationRecord, amount: Decimal) -> None:
        stored = self.store.appropriations[record.fiscal_year]
        if amount < 0:
            raise ConstraintViolated(f"FY{record.fiscal_year}: appropriation {amount}")
        stored.amount, stored.version = amount, stored.version + 1
        record.amount, record.version = amount, record.version + 1
        _check_allocations_fit(self.store, record.fiscal_year)

    async def set_availability(
        self, record: AppropriationRecord, available_from: date, reason: str, actor: str
    ) -> None:
        stored = self.store.appropriations[record.fiscal_year]
        now = self.store.now()
        for target in (stored, record):
            target.available_from, target.availability_reason = available_from, reason
            target.availability_set_by, target.availability_set_at = actor, now
        stored.version += 1
        record.version += 1

    async def waiting_years(self, on: date) -> list[int]:
        waiting = {
            r.fiscal_year
            for r in self.store.requests.values()
            if r.status is RequestStatus.PENDING_AVAILABILITY
        }
        return sorted(
            fy
            for fy, a in self.store.appropriations.items()
            if fy in waiting and a.available_from is not None and a.available_from <= on
        )

    async def touch(self, fiscal_year: int) -> None:
        if fiscal_year in self.store.appropriations:
            self.store.appropriations[fiscal_year].version += 1

    async def replace_tranches(
        self, fiscal_year: int, specs: list[TrancheSpec], current: list[TrancheState]
    ) -> None:
        by_date = {t.available_until: t for t in current}
        wanted = {s.available_until for s in specs}
        for spec in specs:
            known = by_date.get(spec.available_until)
            if known is None:
                new = TrancheState(uuid.uuid4(), fiscal_year, spec.amount, spec.available_until)
                self.store.tranches[new.id] = new
            else:
                self.store.tranches[known.id].amount = spec.amount
        for t in current:
            if t.available_until not in wanted:
                del self.store.tranches[t.id]
        for t in self.store.tranches.values():
            if t.fiscal_year == fiscal_year and not (t.amount > 0 and ZERO <= t.drawn <= t.amount):
                raise ConstraintViolated(f"tranche {t.id}: {t.drawn} of {t.amount}")

    async def save_drawn(self, tranches: list[TrancheState]) -> None:
        for t in tranches:
            stored = self.store.tranches[t.id]
            if not ZERO <= t.drawn <= stored.amount:
                raise ConstraintViolated(f"tranche {t.id}: drawn {t.drawn} of {stored.amount}")
            stored.drawn = t.drawn

    async def allocated_total(
        self, fiscal_year: int, *, excluding: uuid.UUID | None = None
    ) -> Decimal:
        return sum(
            (
                a.balance.amount
                for a in self.store.allocations.values()
                if a.fiscal_year == fiscal_year and a.id != excluding
            ),
            ZERO,
        )


class FakeAllocations:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def get(self, allocation_id: uuid.UUID, *, lock: bool = False) -> AllocationRecord | None:
        found = self.store.allocations.get(allocation_id)
        return _copy(found) if found else None

    async def find(
        self, country: str, fiscal_year: int, *, lock: bool = False
    ) -> AllocationRecord | None:
        found = [
            a
            for a in self.store.allocations.values()
            if (a.country, a.fiscal_year) == (country, fiscal_year)
        ]
        return _copy(found[0]) if found else None

    async def add(self, country: str, fiscal_year: int) -> AllocationRecord:
        if await self.find(country, fiscal_year) is not None:
            raise ConstraintViolated(f"a second allocation of {country} for FY{fiscal_year}")
        record = AllocationRecord(uuid.uuid4(), country, fiscal_year, 0, AllocationBalance(ZERO))
        self.store.allocations[record.id] = _copy(record)
        _check_allocations_fit(self.store, fiscal_year)
        return record

    async def save_amount(self, record: AllocationRecord) -> None:
        stored = self.store.allocations[record.id]
        stored.balance.amount = record.balance.amount
        stored.version += 1
        record.version += 1
        _check_allocation(stored)
        _check_allocations_fit(self.store, record.fiscal_year)

    async def save_balances(self, record: AllocationRecord) -> None:
        stored, b = self.store.allocations[record.id], record.balance
        stored.balance.obligated, stored.balance.charged = b.obligated, b.charged
        stored.balance.lapsed = b.lapsed
        _check_allocation(stored)

    async def record_change(
        self,
        record: AllocationRecord,
        previous: Decimal | None,
        reason: str,
        actor: str,
        request_id: str | None,
    ) -> None:
        self.store.allocation_changes.append(
            AllocationChange(record.id, previous, record.balance.amount, reason, actor)
        )


_MUTABLE = (
    "status",
    "outstanding",
    "penalty_amount",
    "penalty_rule",
    "penalty_refundable",
    "returned_amount",
    "lapsed_amount",
    "closed_on",
    "close_reason",
)


class FakeObligations:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def get(self, obligation_id: uuid.UUID, *, lock: bool = False) -> Obligation | None:
        found = self.store.obligations.get(obligation_id)
        return _copy(found) if found else None

    async def active_for(self, nomination_id: uuid.UUID) -> Obligation | None:
        found = [o for o in self._of(nomination_id) if o.status is ObligationStatus.ACTIVE]
        return _copy(found[0]) if found else None

    async def refundable_for(self, nomination_id: uuid.UUID) -> Obligation | None:
        found = [
            o for o in self._of(nomination_id) if o.penalty_refundable and o.penalty_amount > 0
        ]
        return _copy(found[-1]) if found else None  # the newest

    async def add(self, ob: Obligation) -> None:
        if ob.amount != ob.tuition + ob.travel + ob.living_allowance:
            raise ConstraintViolated(f"obligation {ob.id}: amount is not its cost")
        self.store.obligations[ob.id] = replace(_copy(ob), version=1)
        self._check(ob.id)

    async def save(self, ob: Obligation) -> None:
        stored = self.store.obligations[ob.id]
        for name in _MUTABLE:
            setattr(stored, name, copy.copy(getattr(ob, name)))
        stored.version += 1
        ob.version += 1
        self._check(ob.id)

    def _of(self, nomination_id: uuid.UUID) -> list[Obligation]:
        """The nomination's obligations, oldest first (dicts keep the insertion order)."""
        return [o for o in self.store.obligations.values() if o.nomination_id == nomination_id]

    def _check(self, obligation_id: uuid.UUID) -> None:
        ob = self.store.obligations[obligation_id]
        if not ZERO <= ob.outstanding <= ob.amount:
            raise ConstraintViolated(f"obligation {ob.id}: outstanding {ob.outstanding}")
        active = [o for o in self._of(ob.nomination_id) if o.status is ObligationStatus.ACTIVE]
        if len(active) > 1:
            raise ConstraintViolated(f"nomination {ob.nomination_id}: two active obligations")


class FakeRequests:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def add_new(self, request: FundingRequest, cause_event_id: str | None) -> bool:
        if request.request_id in self.store.requests:
            return False
        self.store.requests[request.request_id] = _copy(request)
        self.store.received_at[request.request_id] = self.store.now()
        return True

    async def get(self, request_id: uuid.UUID, *, lock: bool = False) -> FundingRequest | None:
        found = self.store.requests.get(request_id)
        return _copy(found) if found else None

    async def pending(
        self,
        *,
        class_id: uuid.UUID | None = None,
        masl_id: str | None = None,
        nomination_id: uuid.UUID | None = None,
        received_before: datetime | None = None,
        skip_locked: bool = False,
        statuses: tuple[RequestStatus, ...] = (RequestStatus.PENDING_REFERENCE_DATA,),
        fiscal_year: int | None = None,
    ) -> list[FundingRequest]:
        received = self.store.received_at
        found = [
            r
            for r in self.store.requests.values()
            if r.status in statuses
            and fiscal_year in (None, r.fiscal_year)
            and class_id in (None, r.class_id)
            and masl_id in (None, r.masl_id)
            and nomination_id in (None, r.nomination_id)
            and (received_before is None or received[r.request_id] < received_before)
        ]
        return [_copy(r) for r in sorted(found, key=lambda r: received[r.request_id])]

    async def wait(self, request: FundingRequest, status: RequestStatus) -> None:
        request.status = status
        self.store.requests[request.request_id].status = status

    async def decide(
        self,
        request: FundingRequest,
        status: RequestStatus,
        reason: RejectionReason | None = None,
        obligation_id: uuid.UUID | None = None,
    ) -> None:
        request.status, request.obligation_id = status, obligation_id
        request.reason = None if reason is None else str(reason)
        stored = self.store.requests[request.request_id]
        stored.status, stored.obligation_id, stored.reason = status, obligation_id, request.reason
        self.store.decided_at[request.request_id] = self.store.now()


class FakeLedger:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def postings_of(self, obligation_id: uuid.UUID) -> list[Posting]:
        return [e.posting for e in self.store.ledger if e.posting.obligation_id == obligation_id]


class FakeCatalogFacts:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def serialize_course(self, masl_id: str) -> None:
        """One test runs one unit of work at a time: nothing to serialise."""

    async def apply_course(self, state: CourseState) -> bool:
        known = self.store.courses.get(state.masl_id)
        if known is not None and known.version >= state.version:
            return False
        self.store.courses[state.masl_id] = state
        return True

    async def apply_class(self, state: ClassState) -> bool:
        known = self.store.classes.get(state.class_id)
        if known is not None and known.version >= state.version:
            return False
        self.store.classes[state.class_id] = state
        return True

    async def cancel_class(self, class_id: uuid.UUID) -> None:
        known = self.store.classes.get(class_id)
        if known is not None:
            self.store.classes[class_id] = replace(known, status="cancelled")

    async def line_reference(self, class_id: uuid.UUID) -> LineReference | None:
        known = self.store.classes.get(class_id)
        course = self.store.courses.get(known.masl_id) if known else None
        if known is None or course is None:
            return None
        return LineReference(
            known.class_id,
            known.masl_id,
            known.fiscal_year,
            known.start_date,
            known.end_date,
            course.category,
            course.dedicated_international,
            course.government_quarters,
            course.government_mess,
        )

    async def class_start(self, class_id: uuid.UUID) -> date | None:
        known = self.store.classes.get(class_id)
        return known.start_date if known else None

    async def tuition(self, masl_id: str, fiscal_year: int) -> Decimal | None:
        course = self.store.courses.get(masl_id)
        return course.tuition.get(fiscal_year) if course else None

    async def record_refill(
        self, nomination_id: uuid.UUID, class_id: uuid.UUID, refilled_by: uuid.UUID
    ) -> bool:
        if nomination_id in self.store.refills:
            return False
        self.store.refills[nomination_id] = (class_id, refilled_by)
        return True

    async def is_refilled(self, nomination_id: uuid.UUID) -> bool:
        return nomination_id in self.store.refills


class FakeReference:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def tla_rates(self) -> list[TlaRate]:
        return [
            TlaRate(
                r["government_quarters"],
                r["government_mess"],
                r["with_dependents"],
                r["lodging_per_day"],
                r["meals_per_day"],
            )
            for r in self.store.reference["tla_rate"].values()
        ]

    async def travel_cost(self, country: str) -> Decimal | None:
        found = self.store.reference["travel_cost"].get(country)
        return found["amount"] if found else None

    async def parameter(self, name: str) -> Decimal:
        found = self.store.reference["funding_parameter"].get(name)
        if found is None:
            raise MissingReferenceData(f"funding parameter {name!r} is missing")
        return Decimal(found["value"])

    async def penalty_rules(self) -> list[PenaltyRule]:
        return [
            PenaltyRule(
                code=r["code"],
                trigger=Trigger(r["trigger"]),
                initiated_by=Initiator(r["initiated_by"]),
                course_kind=CourseKind(r["course_kind"]),
                within_days_before_start=r["within_days_before_start"],
                percent_of_tuition=r["percent_of_tuition"],
                prorate_by_attendance=r["prorate_by_attendance"],
                waived_when_refilled=r["waived_when_refilled"],
                priority=r["priority"],
                active=r["active"],
            )
            for r in self.store.reference["penalty_rule"].values()
        ]

    async def row(
        self, name: ReferenceTable, key: Any, *, lock: bool = False
    ) -> dict[str, Any] | None:
        found = self.store.reference[name].get(key)
        return dict(found) if found else None

    async def insert(self, name: ReferenceTable, values: dict[str, Any]) -> dict[str, Any]:
        key = values[KEYS[name]]
        if key in self.store.reference[name]:
            raise KeyError("a row with this key exists")
        row = {"version": 1} | values | {"updated_at": self.store.now()}
        self.store.reference[name][key] = row
        return dict(row)

    async def update(
        self, name: ReferenceTable, key: Any, values: dict[str, Any]
    ) -> dict[str, Any]:
        row = self.store.reference[name][key]
        row.update(values, version=row["version"] + 1, updated_at=self.store.now())
        return dict(row)


class FakeFundingUnitOfWork(MemoryUnitOfWork):
    """`FundingUnitOfWork` in memory, over a `FundingStore` shared by a test's units of work."""

    appropriations: FakeAppropriations
    allocations: FakeAllocations
    obligations: FakeObligations
    requests: FakeRequests
    ledger: FakeLedger
    catalog: FakeCatalogFacts
    reference: FakeReference

    def __init__(
        self,
        store: FundingStore,
        actor: Principal | None = None,
        cause_event_id: str | None = None,
    ) -> None:
        super().__init__(actor, cause_event_id)
        self.store = store
        self._work = FundingStore()
        self._locks: set[int] = set()

    def _start(self) -> None:
        self._work.become(self.store)
        self.appropriations = FakeAppropriations(self._work)
        self.allocations = FakeAllocations(self._work)
        self.obligations = FakeObligations(self._work)
        self.requests = FakeRequests(self._work)
        self.ledger = FakeLedger(self._work)
        self.catalog = FakeCatalogFacts(self._work)
        self.reference = FakeReference(self._work)

    async def post(self, postings: list[Posting]) -> None:
        for p in postings:
            seq = len(self._work.ledger) + 1
            self._work.ledger.append(
                LedgerEntry(seq, p, self.actor.subject, None, self.cause_event_id)
            )

    def emit(self, *events: DomainEvent) -> None:
        publishing.stage(self.publish, events)

    async def try_lock(self, key: int) -> bool:
        """A transaction-scoped lock: refused while another open unit of work holds it."""
        if key in self.store.locks and key not in self._locks:
            return False
        self.store.locks.add(key)
        self._locks.add(key)
        return True

    async def flush_staged(self) -> None:
        """The SQL unit of work writes staged events into the open transaction, which a
        rollback still undoes; here they stay staged until `commit()`, to the same effect."""

    async def commit(self) -> None:
        self._commit_repositories()
        self.store.outbox.extend(self._events)
        self.store.audits.extend(self._audits)
        await MemoryUnitOfWork.flush_staged(self)
        self.commits += 1
        self._release_locks()

    def _commit_repositories(self) -> None:
        self.store.become(self._work)

    def _rollback_repositories(self) -> None:
        self._work.become(self.store)
        self._release_locks()

    def _release_locks(self) -> None:
        self.store.locks -= self._locks
        self._locks.clear()


def _is_a_funding_unit_of_work(uow: FakeFundingUnitOfWork) -> FundingUnitOfWork:
    # `mypy services/funding/tests/unit/fakes.py`: the fake gives what the interface lists.
    return uow
