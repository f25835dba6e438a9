"""The committed state of funding's fast tier (`FundingStore`: what PostgreSQL holds) and what
the database refuses (`ConstraintViolated`); the reference data seeded from migration 0003."""

from __future__ import annotations

import copy
import functools
import importlib.util
import uuid
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from funding.domain.allocation import (
    AllocationRecord,
    AppropriationRecord,
)
from funding.domain.availability import TrancheState
from funding.domain.catalog_facts import ClassState, CourseState
from funding.domain.ledger import (
    CountryBalances,
    Posting,
    account_balances,
    country_balances,
    totals_of,
)
from funding.domain.money import ZERO
from funding.domain.obligation import Obligation
from funding.domain.program import CountryProgram
from funding.domain.request import FundingRequest
from shared.contracts.envelope import IntegrationEvent
from tests.helpers.memory import AuditRecord

T = TypeVar("T")

MIGRATION = (
    Path(__file__).resolve().parents[3] / "migrations/versions/2026_11_30_0003_reference_data.py"
)
PROGRAM_MIGRATION = MIGRATION.with_name("2026_12_04_0005_country_programs.py")


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


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"funding_migration_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


@functools.cache
def _seeded_rows() -> dict[str, dict[Any, dict[str, Any]]]:
    """The reference rows migrations 0003 and 0005 insert, keyed as their tables are."""
    migration = _load(MIGRATION)
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
        for name, value, unit, text in [*migration.PARAMETERS, *_load(PROGRAM_MIGRATION).PARAMETERS]
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
    programs: dict[uuid.UUID, CountryProgram] = field(default_factory=dict)
    line_fills: list[dict[str, Any]] = field(default_factory=list)
    program_exceptions: dict[uuid.UUID, tuple[str, str]] = field(default_factory=dict)
    year_end_runs: list[dict[str, Any]] = field(default_factory=list)
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


def fresh_copy(item: T) -> T:
    return copy.deepcopy(item)


def check_allocations_fit(store: FundingStore, fiscal_year: int) -> None:
    """Triggers `allocation_within_appropriation` and `appropriation_covers_allocations`."""
    appropriation = store.appropriations.get(fiscal_year)
    allocated = sum(
        (a.balance.amount for a in store.allocations.values() if a.fiscal_year == fiscal_year),
        ZERO,
    )
    if appropriation is None or allocated > appropriation.amount:
        raise ConstraintViolated(f"FY{fiscal_year}: allocations {allocated} above appropriation")


def check_allocation(record: AllocationRecord) -> None:
    """The allocation's CHECKs: used balances not negative, Anti-Deficiency."""
    b = record.balance
    if min(b.amount, b.obligated, b.charged, b.lapsed) < 0 or b.used > b.amount:
        raise ConstraintViolated(f"allocation {record.id}: {b}")
