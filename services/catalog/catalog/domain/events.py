"""Domain events: what happened inside the catalog, in its own terms.

The seat book raises the seat and class events; the course and class use cases raise the
others. The unit of work hands them to `catalog.adapters.publishing`, the only place that
turns them into published contracts (`shared.contracts.catalog.v1`); the two are different
types on purpose, so the domain can change without breaking a contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from catalog.domain.course import Course, EimetPolicy, Institution


class SeatStatus(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    RELEASED = "released"


ACTIVE_SEAT_STATUSES = frozenset({SeatStatus.HELD, SeatStatus.CONFIRMED, SeatStatus.WAITLISTED})


class ReleaseReason(StrEnum):
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    VETTING_DENIED = "vetting_denied"
    HOLD_EXPIRED = "hold_expired"
    CLASS_CANCELLED = "class_cancelled"
    RELEASED_BY_MANAGER = "released_by_manager"


@dataclass(frozen=True)
class SeatHeld:
    class_id: UUID
    masl_id: str
    nomination_id: UUID
    hold_expires_at: datetime
    seats_available: int
    promoted_from_waitlist: bool
    backfills_nomination_id: UUID | None


@dataclass(frozen=True)
class SeatWaitlisted:
    class_id: UUID
    masl_id: str
    nomination_id: UUID
    position: int


@dataclass(frozen=True)
class SeatConfirmed:
    class_id: UUID
    masl_id: str
    nomination_id: UUID


@dataclass(frozen=True)
class SeatReleased:
    class_id: UUID
    masl_id: str
    nomination_id: UUID
    reason: ReleaseReason
    was: SeatStatus


@dataclass(frozen=True)
class CoursePublished:
    """A course entered the catalog; consumers get its full state, its institution's facts and
    the day its E-IMET certification lapses (by `eimet`)."""

    course: Course
    institution: Institution
    eimet: EimetPolicy


@dataclass(frozen=True)
class CourseChanged:
    """A course's facts, tuition or institution changed (its full state again)."""

    course: Course
    institution: Institution
    eimet: EimetPolicy


@dataclass(frozen=True)
class ClassScheduled:
    """A class opened (consumers get its full state)."""

    class_id: UUID


@dataclass(frozen=True)
class ClassChanged:
    """The class's dates, capacity or status changed (consumers get its full state)."""

    class_id: UUID


@dataclass(frozen=True)
class ClassCancelled:
    class_id: UUID
    masl_id: str
    reason: str  # the catalog manager's words: they stay in the catalog
    cancelled_at: datetime
    affected_nomination_ids: tuple[UUID, ...]
    reason_code: str = "other"  # what the event says (shared.contracts ClassCancelReason)


SeatEvent = SeatHeld | SeatWaitlisted | SeatConfirmed | SeatReleased
CourseEvent = CoursePublished | CourseChanged
DomainEvent = SeatEvent | CourseEvent | ClassScheduled | ClassChanged | ClassCancelled
