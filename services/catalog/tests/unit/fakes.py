"""The catalog's fast tier: in-memory repositories and a unit of work on `MemoryUnitOfWork`.

They keep what the database keeps for the SQL ones, so a use case that would fail against
PostgreSQL fails here too: unique institution names (any letter case) and MASL numbers, seat
counters that follow the seats (the trigger of ADR 0010), held + confirmed seats never above a
class's capacity, one active place per nomination. Reads and writes copy the objects, and a
unit of work's changes reach the store (what the next unit of work sees) only on commit.
Domain events go through `catalog.adapters.publishing`, like the SQL unit of work's, so the
tests see the published contracts.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID

from catalog.adapters.publishing import stage
from catalog.domain.course import Course, Institution
from catalog.domain.errors import CourseExists, InstitutionExists
from catalog.domain.events import ACTIVE_SEAT_STATUSES, DomainEvent, ReleaseReason, SeatStatus
from catalog.domain.offering import CourseClass
from catalog.domain.seats import Seat
from shared.auth.principal import Principal
from tests.helpers.memory import MemoryUnitOfWork

T = TypeVar("T")


class ConstraintViolated(AssertionError):
    """What the database would refuse (a check constraint or a unique index): a bug in a use
    case, never a business outcome, so the test fails."""


@dataclass
class CatalogStore:
    """The catalog's state: what PostgreSQL holds for the SQL repositories."""

    institutions: dict[UUID, Institution] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    classes: dict[UUID, CourseClass] = field(default_factory=dict)
    seats: dict[tuple[UUID, UUID], Seat] = field(default_factory=dict)
    early_releases: dict[UUID, ReleaseReason] = field(default_factory=dict)
    inserts: int = 0

    def inserted_at(self) -> datetime:
        """The database's `now()` of a new row: later for every row, whatever the test's clock."""
        self.inserts += 1
        return datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=self.inserts)

    def become(self, other: CatalogStore) -> None:
        for f in fields(self):
            setattr(self, f.name, copy.deepcopy(getattr(other, f.name)))


def _copy(item: T) -> T:
    return copy.deepcopy(item)


class FakeInstitutions:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store

    async def get(self, institution_id: UUID, *, lock: bool = False) -> Institution | None:
        found = self.store.institutions.get(institution_id)
        return _copy(found) if found else None

    async def name_taken(self, name: str, *, other_than: UUID | None = None) -> bool:
        return any(
            i.name.lower() == name.lower() and i.id != other_than
            for i in self.store.institutions.values()
        )

    async def add(self, item: Institution) -> None:
        if await self.name_taken(item.name):
            raise InstitutionExists("An institution with this name exists.")
        self.store.institutions[item.id] = _copy(item)

    async def save(self, item: Institution) -> None:
        if await self.name_taken(item.name, other_than=item.id):
            raise InstitutionExists("An institution with this name exists.")
        self.store.institutions[item.id] = _copy(item)

    async def has_courses(self, institution_id: UUID) -> bool:
        return any(c.institution_id == institution_id for c in self.store.courses.values())

    async def delete(self, institution_id: UUID) -> None:
        del self.store.institutions[institution_id]


class FakeCourses:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store

    async def get(self, masl_id: str, *, lock: bool = False) -> Course | None:
        found = self.store.courses.get(masl_id)
        return _copy(found) if found else None

    async def exists(self, masl_id: str) -> bool:
        return masl_id in self.store.courses

    async def of_institution(self, institution_id: UUID, *, lock: bool = False) -> list[Course]:
        found = [c for c in self.store.courses.values() if c.institution_id == institution_id]
        return [_copy(c) for c in sorted(found, key=lambda c: c.masl_id)]

    async def add(self, item: Course) -> None:
        if item.masl_id in self.store.courses:
            raise CourseExists(f"Course {item.masl_id} is already in the catalog.")
        self.store.courses[item.masl_id] = _copy(item)

    async def save(self, item: Course) -> None:
        kept = self.store.courses[item.masl_id].tuition  # a stored rate is never removed
        self.store.courses[item.masl_id] = _copy(item)
        self.store.courses[item.masl_id].tuition = {**kept, **item.tuition}


class FakeClasses:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store

    async def get(self, class_id: UUID) -> CourseClass | None:
        found = self.store.classes.get(class_id)
        return counted(self.store, _copy(found)) if found else None

    async def lock(self, class_id: UUID) -> CourseClass | None:
        return await self.get(class_id)

    async def add(self, item: CourseClass) -> None:
        self.store.classes[item.id] = _copy(item)
        check_capacity(self.store, item.id)

    async def save(self, item: CourseClass) -> None:
        self.store.classes[item.id] = _copy(item)
        check_capacity(self.store, item.id)


def counted(store: CatalogStore, offering: CourseClass) -> CourseClass:
    """The class with the seat counters the database trigger keeps (from the seats)."""
    statuses = [s.status for s in store.seats.values() if s.class_id == offering.id]
    offering.seats_held = statuses.count(SeatStatus.HELD)
    offering.seats_confirmed = statuses.count(SeatStatus.CONFIRMED)
    offering.seats_waitlisted = statuses.count(SeatStatus.WAITLISTED)
    return offering


def check_capacity(store: CatalogStore, class_id: UUID) -> None:
    """`ck_course_class_capacity_not_exceeded`, checked on every write as the database does."""
    offering = counted(store, _copy(store.classes[class_id]))
    if offering.occupied > offering.capacity:
        raise ConstraintViolated(f"class {class_id}: {offering.occupied} > {offering.capacity}")


class FakeSeats:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store

    async def lock_nomination(self, nomination_id: UUID) -> None:
        """One test runs one unit of work at a time: nothing to serialize."""

    async def get(self, class_id: UUID, nomination_id: UUID) -> Seat | None:
        found = self.store.seats.get((class_id, nomination_id))
        return _copy(found) if found else None

    async def class_of_active_nomination(self, nomination_id: UUID) -> UUID | None:
        return next((s.class_id for s in self._active() if s.nomination_id == nomination_id), None)

    async def ever_seated(self, nomination_id: UUID) -> bool:
        return any(s.nomination_id == nomination_id for s in self.store.seats.values())

    async def waitlist(self, class_id: UUID, limit: int) -> list[Seat]:
        waiting = self._in(class_id, SeatStatus.WAITLISTED)
        return [_copy(s) for s in sorted(waiting, key=lambda s: s.waitlist_seq or 0)[:limit]]

    async def active_in_class(self, class_id: UUID) -> list[Seat]:
        return [_copy(s) for s in self._active() if s.class_id == class_id]  # oldest first

    async def lapsed_holds(self, class_id: UUID, now: datetime) -> list[Seat]:
        lapsed = [
            s
            for s in self._in(class_id, SeatStatus.HELD)
            if s.hold_expires_at is not None and s.hold_expires_at <= now
        ]
        return [_copy(s) for s in sorted(lapsed, key=lambda s: s.hold_expires_at or now)]

    async def add(self, item: Seat) -> None:
        if (item.class_id, item.nomination_id) in self.store.seats:
            raise ConstraintViolated(f"a second seat of {item.nomination_id} in the class")
        await self.save(replace(item, created_at=self.store.inserted_at()))

    async def save(self, item: Seat) -> None:
        if item.status in ACTIVE_SEAT_STATUSES:
            elsewhere = await self.class_of_active_nomination(item.nomination_id)
            if elsewhere not in (None, item.class_id):
                raise ConstraintViolated(f"{item.nomination_id} is active in two classes")
        self.store.seats[(item.class_id, item.nomination_id)] = _copy(item)
        check_capacity(self.store, item.class_id)

    async def record_early_release(self, nomination_id: UUID, reason: ReleaseReason) -> None:
        self.store.early_releases.setdefault(nomination_id, reason)

    async def released_early(self, nomination_id: UUID) -> bool:
        return nomination_id in self.store.early_releases

    def _active(self) -> list[Seat]:
        return [s for s in self.store.seats.values() if s.status in ACTIVE_SEAT_STATUSES]

    def _in(self, class_id: UUID, status: SeatStatus) -> list[Seat]:
        return [
            s for s in self.store.seats.values() if (s.class_id, s.status) == (class_id, status)
        ]


class FakeCatalogUnitOfWork(MemoryUnitOfWork):
    """`CatalogUnitOfWork` in memory, over a `CatalogStore` shared by a test's units of work."""

    institutions: FakeInstitutions
    courses: FakeCourses
    classes: FakeClasses
    seats: FakeSeats

    def __init__(
        self,
        store: CatalogStore,
        actor: Principal | None = None,
        cause_event_id: str | None = None,
    ) -> None:
        super().__init__(actor, cause_event_id)
        self.store = store
        self._work = CatalogStore()

    def _start(self) -> None:
        self._work.become(self.store)
        self.institutions = FakeInstitutions(self._work)
        self.courses = FakeCourses(self._work)
        self.classes = FakeClasses(self._work)
        self.seats = FakeSeats(self._work)

    def emit(
        self, events: Iterable[DomainEvent], classes: Mapping[UUID, CourseClass] | None = None
    ) -> None:
        stage(self, events, classes or {})

    async def flush_staged(self) -> None:
        """The SQL unit of work writes them into the open transaction, which a rollback still
        undoes; here they stay staged until `commit()`, to the same effect."""

    async def commit(self) -> None:
        await MemoryUnitOfWork.flush_staged(self)
        self._commit_repositories()
        self.commits += 1

    def _commit_repositories(self) -> None:
        self.store.become(self._work)

    def _rollback_repositories(self) -> None:
        self._work.become(self.store)
