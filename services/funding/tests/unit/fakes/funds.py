"""In-memory appropriations (with their tranches) and country allocations."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from funding.domain.allocation import (
    AllocationBalance,
    AllocationRecord,
    AppropriationRecord,
    TrancheSpec,
)
from funding.domain.availability import TrancheState
from funding.domain.calendar import fiscal_year_bounds
from funding.domain.money import ZERO
from funding.domain.obligation import RequestStatus
from services.funding.tests.unit.fakes.store import (
    AllocationChange,
    ConstraintViolated,
    FundingStore,
    check_allocation,
    check_allocations_fit,
    fresh_copy,
)


class FakeAppropriations:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def get(self, fiscal_year: int, *, lock: bool = False) -> AppropriationRecord | None:
        found = self.store.appropriations.get(fiscal_year)
        if found is None:
            return None
        return replace(fresh_copy(found), tranches=await self.tranches(fiscal_year))

    async def tranches(self, fiscal_year: int, *, lock: bool = False) -> list[TrancheState]:
        found = [t for t in self.store.tranches.values() if t.fiscal_year == fiscal_year]
        return [fresh_copy(t) for t in sorted(found, key=lambda t: t.available_until)]

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
        check_allocations_fit(self.store, record.fiscal_year)

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
        return fresh_copy(found) if found else None

    async def find(
        self, country: str, fiscal_year: int, *, lock: bool = False
    ) -> AllocationRecord | None:
        found = [
            a
            for a in self.store.allocations.values()
            if (a.country, a.fiscal_year) == (country, fiscal_year)
        ]
        return fresh_copy(found[0]) if found else None

    async def add(self, country: str, fiscal_year: int) -> AllocationRecord:
        if await self.find(country, fiscal_year) is not None:
            raise ConstraintViolated(f"a second allocation of {country} for FY{fiscal_year}")
        record = AllocationRecord(uuid.uuid4(), country, fiscal_year, 0, AllocationBalance(ZERO))
        self.store.allocations[record.id] = fresh_copy(record)
        check_allocations_fit(self.store, fiscal_year)
        return record

    async def save_amount(self, record: AllocationRecord) -> None:
        stored = self.store.allocations[record.id]
        stored.balance.amount = record.balance.amount
        stored.version += 1
        record.version += 1
        check_allocation(stored)
        check_allocations_fit(self.store, record.fiscal_year)

    async def save_balances(self, record: AllocationRecord) -> None:
        stored, b = self.store.allocations[record.id], record.balance
        stored.balance.obligated, stored.balance.charged = b.obligated, b.charged
        stored.balance.lapsed = b.lapsed
        check_allocation(stored)

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
