"""What a catalog use case may use: the repositories of one transaction (an interface).

Implemented over SQL by `catalog.adapters.unit_of_work.SqlCatalogUnitOfWork` and in memory by
`services/catalog/tests/unit/fakes.py`. Repositories speak domain objects, never rows. They are
protocols (structural), so the adapters implement them without importing the service layer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

from catalog.domain.course import Course, Institution
from catalog.domain.events import DomainEvent, ReleaseReason
from catalog.domain.offering import CourseClass
from catalog.domain.seats import Seat


class Institutions(Protocol):
    async def get(self, institution_id: UUID, *, lock: bool = False) -> Institution | None: ...
    async def name_taken(self, name: str, *, other_than: UUID | None = None) -> bool:
        """Names are unique regardless of letter case."""

    async def add(self, item: Institution) -> None:
        """Store a new institution (`InstitutionExists` when its name is taken meanwhile)."""

    async def save(self, item: Institution) -> None: ...
    async def has_courses(self, institution_id: UUID) -> bool: ...
    async def delete(self, institution_id: UUID) -> None: ...


class Courses(Protocol):
    async def get(self, masl_id: str, *, lock: bool = False) -> Course | None: ...
    async def exists(self, masl_id: str) -> bool: ...
    async def of_institution(self, institution_id: UUID, *, lock: bool = False) -> list[Course]:
        """The institution's courses by MASL number."""

    async def add(self, item: Course) -> None:
        """Store a new course (`CourseExists` when its MASL number is taken meanwhile)."""

    async def save(self, item: Course) -> None:
        """Store the course's facts and its tuition rates (a stored rate is never removed)."""


class Classes(Protocol):
    async def get(self, class_id: UUID) -> CourseClass | None: ...
    async def lock(self, class_id: UUID) -> CourseClass | None:
        """The class, locked until the transaction ends: every seat change of a class runs
        under this lock, so concurrent requests for its seats are served one at a time."""

    async def add(self, item: CourseClass) -> None: ...
    async def save(self, item: CourseClass) -> None:
        """Store the class; never its seat counters, which follow the seats (ADR 0010)."""


class Seats(Protocol):
    async def lock_nomination(self, nomination_id: UUID) -> None:
        """Serialize the seat request and the releases of one nomination (until commit)."""

    async def get(self, class_id: UUID, nomination_id: UUID) -> Seat | None: ...
    async def class_of_active_nomination(self, nomination_id: UUID) -> UUID | None:
        """The class where the nomination holds, has or awaits a seat, if any."""

    async def ever_seated(self, nomination_id: UUID) -> bool:
        """The nomination has (or had) a seat in some class."""

    async def waitlist(self, class_id: UUID, limit: int) -> list[Seat]:
        """The first `limit` waitlisted seats of a class, in waitlist order."""

    async def active_in_class(self, class_id: UUID) -> list[Seat]:
        """Held, confirmed and waitlisted seats of a class, oldest first."""

    async def lapsed_holds(self, class_id: UUID, now: datetime) -> list[Seat]:
        """Holds of the class expired at `now`, soonest expiry first."""

    async def add(self, item: Seat) -> None:
        """Store a new seat; held + confirmed seats never exceed the class's capacity."""

    async def save(self, item: Seat) -> None: ...
    async def record_early_release(self, nomination_id: UUID, reason: ReleaseReason) -> None:
        """Remember a release that came before the seat request, so the request is ignored."""

    async def released_early(self, nomination_id: UUID) -> bool: ...


class CatalogUnitOfWork(Protocol):
    """One transaction: its repositories, its audit trail and the events it publishes."""

    @property
    def institutions(self) -> Institutions: ...
    @property
    def courses(self) -> Courses: ...
    @property
    def classes(self) -> Classes: ...
    @property
    def seats(self) -> Seats: ...

    def emit(
        self, events: Iterable[DomainEvent], classes: Mapping[UUID, CourseClass] | None = None
    ) -> None:
        """Stage domain events, in order, for publication with the transaction (the adapters
        translate them; `classes` hold the state `ClassScheduled`/`ClassChanged` carry)."""

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Stage an audit record of a state change (by the unit of work's actor)."""

    async def flush_staged(self) -> None:
        """Write what is staged (events, audit records) into the transaction now."""


VersionCheck = Callable[[object, int], None]
"""Optimistic concurrency without the service layer knowing about HTTP: called with (resource
id, current version) under the row lock; raises when the caller's precondition (e.g. HTTP
If-Match) does not hold for that version."""


def no_check(resource_id: object, version: int) -> None:
    """For callers without a precondition (the seed, reactions)."""


def snapshot(item: Any) -> dict[str, Any]:
    """An aggregate (a dataclass) as JSON-ready audit data: the before/after of a change, with
    dates in ISO 8601 and money and ids as strings."""
    return {key: _plain(value) for key, value in dataclasses.asdict(item).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
