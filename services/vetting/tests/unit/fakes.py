"""The fast tier's vetting unit of work: in-memory repositories behind the same interface.

`FakeVettingUnitOfWork` is the twin of `vetting.adapters.unit_of_work.SqlVettingUnitOfWork`:
each unit of work works on a copy of the committed `VettingStore` and `commit()` keeps it (a
unit of work left without commit keeps nothing); aggregates come back as fresh copies, as if
read from rows. The events the aggregates raised are collected when staged and turned into
their contracts by the same `adapters.publishing` as in production, and written with the audit
records into the store's `outbox` and `audits`, in the same "transaction" as the change.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from shared.auth.principal import Principal
from shared.contracts.envelope import IntegrationEvent
from tests.helpers.memory import AuditRecord, MemoryUnitOfWork
from vetting.adapters import publishing
from vetting.domain.case import VettingCase
from vetting.domain.checks import FingerprintMatch
from vetting.domain.decision import CaseStatus
from vetting.domain.errors import ConcurrentModification, UnitAlreadyListed
from vetting.domain.events import RaisesEvents, collect
from vetting.domain.registry import RegistryEntry, unit_key
from vetting.domain.units import Listing, Unit, UnitMatch, covering
from vetting.domain.validity import PriorApproval

T = TypeVar("T")


@dataclass
class VettingStore:
    """The committed state: what the tables would hold."""

    cases: dict[UUID, VettingCase] = field(default_factory=dict)
    closed: dict[UUID, str] = field(default_factory=dict)
    entries: dict[UUID, RegistryEntry] = field(default_factory=dict)
    units: dict[UUID, Unit] = field(default_factory=dict)
    outbox: list[IntegrationEvent] = field(default_factory=list)
    audits: list[AuditRecord] = field(default_factory=list)

    def published(self) -> list[tuple[str, dict[str, Any]]]:
        """(type, body) of every event committed so far, in order."""
        return [(e.TYPE, e.body()) for e in self.outbox]

    def types(self) -> list[str]:
        return [e.TYPE.removeprefix("imet.vetting.").removesuffix(".v1") for e in self.outbox]


def _fresh(item: T) -> T:
    """A copy without raised events: what a row holds, or what reading it gives."""
    fresh = copy.deepcopy(item)
    getattr(fresh, "events", []).clear()
    return fresh


class FakeCaseRepository:
    def __init__(self, state: VettingStore, seen: list[RaisesEvents]) -> None:
        self.state, self.seen = state, seen

    async def add(self, case: VettingCase, now: datetime) -> bool:
        if any(c.nomination_id == case.nomination_id for c in self.state.cases.values()):
            return False
        self.state.cases[case.id] = _fresh(case)
        self.seen.append(case)
        return True

    async def get(self, case_id: UUID, *, lock: bool = False) -> VettingCase | None:
        stored = self.state.cases.get(case_id)
        return None if stored is None else self._handed_out(stored)

    async def get_by_nomination(
        self, nomination_id: UUID, *, lock: bool = False
    ) -> VettingCase | None:
        found = [c for c in self.state.cases.values() if c.nomination_id == nomination_id]
        return self._handed_out(found[0]) if found else None

    async def save(self, case: VettingCase, now: datetime) -> None:
        if self.state.cases[case.id].version != case.version:
            raise ConcurrentModification(f"Case {case.id} changed concurrently; retry.")
        case.version += 1
        self.state.cases[case.id] = _fresh(case)
        if not any(known is case for known in self.seen):
            self.seen.append(case)

    async def valid_approvals(self, candidate_id: UUID, on: date) -> list[PriorApproval]:
        return [
            PriorApproval(
                c.id, c.candidate_id, unit_key(c.unit_name), c.country, until, c.vetted_revision
            )
            for c, until in self._approved(on)
            if c.candidate_id == candidate_id
        ]

    async def fingerprint_matches(
        self, fingerprint: str, other_than: UUID, limit: int = 5
    ) -> list[FingerprintMatch]:
        found = [
            c
            for c in self.state.cases.values()
            if c.person_fingerprint == fingerprint and c.candidate_id != other_than
        ]
        found.sort(key=lambda c: (c.opened_at, c.id), reverse=True)
        return [FingerprintMatch(c.id, c.candidate_id) for c in found[:limit]]

    async def lapsing_approval_ids(self, today: date, lead_days: int, limit: int) -> list[UUID]:
        horizon = today + timedelta(days=lead_days - 1)
        found = [
            (until, c.id)
            for c, until in self._approved(date.min)
            if until < c.report_date and until <= horizon and c.nomination_id not in self.closed
        ]
        return [case_id for _, case_id in sorted(found)[:limit]]

    async def approved_members(
        self, unit_ids: list[UUID], country: str, name: str | None, on: date
    ) -> list[UUID]:
        def member(c: VettingCase) -> bool:
            if c.unit_id is not None:
                return c.unit_id in unit_ids
            return name is not None and (c.country, unit_key(c.unit_name)) == (
                country,
                unit_key(name),
            )

        found = [
            c for c, _ in self._approved(on) if member(c) and c.nomination_id not in self.closed
        ]
        return [c.id for c in sorted(found, key=lambda c: (c.opened_at, c.id))]

    async def link_named_to_unit(self, country: str, name: str, unit_id: UUID) -> int:
        linked = 0
        for c in self.state.cases.values():
            if c.unit_id is None and (c.country, unit_key(c.unit_name)) == (
                country,
                unit_key(name),
            ):
                c.unit_id, c.unit_match, c.version = unit_id, UnitMatch.BY_NAME, c.version + 1
                linked += 1
        return linked

    @property
    def closed(self) -> dict[UUID, str]:
        return self.state.closed

    def _approved(self, on: date) -> list[tuple[VettingCase, date]]:
        return [
            (c, c.valid_until)
            for c in self.state.cases.values()
            if c.status is CaseStatus.APPROVED and c.valid_until is not None and c.valid_until >= on
        ]

    def _handed_out(self, stored: VettingCase) -> VettingCase:
        case = _fresh(stored)
        self.seen.append(case)
        return case


class FakeClosedNominations:
    def __init__(self, state: VettingStore) -> None:
        self.state = state

    async def close(self, nomination_id: UUID, reason: str, at: datetime) -> None:
        self.state.closed.setdefault(nomination_id, reason)

    async def is_closed(self, nomination_id: UUID) -> bool:
        return nomination_id in self.state.closed


class FakeRegistryRepository:
    def __init__(self, state: VettingStore, units: FakeUnitRepository) -> None:
        self.state, self.units = state, units

    async def add(self, entry: RegistryEntry) -> None:
        assert entry.unit_id is not None
        existing = await self.active_on_unit(entry.unit_id)
        if existing is not None:
            raise UnitAlreadyListed(
                "The unit already has an active registry entry.", registry_entry_id=str(existing)
            )
        self.state.entries[entry.id] = entry

    async def get(self, entry_id: UUID, *, lock: bool = False) -> RegistryEntry | None:
        return self.state.entries.get(entry_id)

    async def save(self, entry: RegistryEntry, read_version: int) -> None:
        if self.state.entries[entry.id].version != read_version:
            raise ConcurrentModification(f"Registry entry {entry.id} changed concurrently; retry.")
        self.state.entries[entry.id] = entry

    async def active_on_unit(self, unit_id: UUID) -> UUID | None:
        return next((e.id for e in self._active() if e.unit_id == unit_id), None)

    async def blocking(self, *, unit_id: UUID | None, country: str, unit_name: str) -> UUID | None:
        if unit_id is None:
            named = [e for e in self._active() if e.matches(country, unit_name)]
            return min(named, key=lambda e: e.added_at).id if named else None
        lineage = await self.units.lineage(unit_id)
        listings = [
            Listing(e.id, e.unit_id, e.include_subunits)
            for e in self._active()
            if e.unit_id in lineage and e.unit_id is not None
        ]
        return covering(listings, lineage)

    def _active(self) -> list[RegistryEntry]:
        return [e for e in self.state.entries.values() if e.active]


class FakeUnitRepository:
    def __init__(self, state: VettingStore, seen: list[RaisesEvents]) -> None:
        self.state, self.seen = state, seen

    async def add(self, item: Unit) -> bool:
        if await self.find(item.country, item.name, item.parent_id) is not None:
            return False
        self.state.units[item.id] = _fresh(item)
        self.seen.append(item)
        return True

    async def get(self, unit_id: UUID) -> Unit | None:
        return self.state.units.get(unit_id)

    async def find(self, country: str, name: str, parent_id: UUID | None) -> Unit | None:
        identity = (country, unit_key(name), parent_id)
        found = (
            u for u in self.state.units.values() if (u.country, u.name_key, u.parent_id) == identity
        )
        return next(found, None)

    async def named(self, country: str, name: str) -> list[UUID]:
        key = unit_key(name)
        return sorted(
            u.id for u in self.state.units.values() if (u.country, u.name_key) == (country, key)
        )

    async def lineage(self, unit_id: UUID) -> list[UUID]:
        chain: list[UUID] = []
        current: UUID | None = unit_id
        while current is not None and current not in chain:
            chain.append(current)
            parent = self.state.units.get(current)
            current = parent.parent_id if parent else None
        return chain

    async def with_subunits(self, unit_id: UUID) -> list[UUID]:
        found = [unit_id]
        for item in found:  # grows while it is walked: breadth first
            found.extend(u.id for u in self.state.units.values() if u.parent_id == item)
        return found


class FakeVettingUnitOfWork(MemoryUnitOfWork):
    """A vetting unit of work on `store`; share the store to see one unit's work in the next."""

    def __init__(self, store: VettingStore | None = None, actor: Principal | None = None) -> None:
        super().__init__(actor)
        self.store = store or VettingStore()

    def _start(self) -> None:
        self._working = copy.deepcopy(self.store)
        self._seen: list[RaisesEvents] = []
        self.cases = FakeCaseRepository(self._working, self._seen)
        self.nominations = FakeClosedNominations(self._working)
        self.units = FakeUnitRepository(self._working, self._seen)
        self.registry = FakeRegistryRepository(self._working, self.units)

    async def flush_staged(self) -> None:
        publishing.stage(self.publish, collect(self._seen))
        self._working.outbox.extend(self._events)
        self._working.audits.extend(self._audits)
        await super().flush_staged()

    def _commit_repositories(self) -> None:
        self.store.__dict__.update(copy.deepcopy(self._working).__dict__)

    def _rollback_repositories(self) -> None:
        for aggregate in getattr(self, "_seen", []):
            aggregate.events.clear()  # what a rolled-back change raised never happened
