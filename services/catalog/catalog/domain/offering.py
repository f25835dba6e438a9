"""A class: one offering of a course, with its dates, capacity and status.

Invariants: report date <= start date <= end date; 1 <= capacity within the course's class
size; seats held + confirmed never exceed capacity (the seat book keeps the counters, the
database re-checks them). `open` and `full` follow the free seats; `closed` (no new
nominations) and `cancelled` (final) are set by catalog managers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from catalog.domain.course import Course
from catalog.domain.errors import (
    CapacityBelowOccupiedSeats,
    ClassCancelled,
    CourseInactive,
    InvalidCapacity,
    InvalidClassSchedule,
)
from shared.contracts.types import fiscal_year_of


class ClassStatus(StrEnum):
    OPEN = "open"
    FULL = "full"
    CLOSED = "closed"
    CANCELLED = "cancelled"


@dataclass
class CourseClass:
    id: UUID
    masl_id: str
    start_date: date
    end_date: date
    report_date: date
    capacity: int
    status: ClassStatus = ClassStatus.OPEN
    seats_held: int = 0
    seats_confirmed: int = 0
    seats_waitlisted: int = 0
    last_waitlist_seq: int = 0
    version: int = 1
    cancel_reason: str | None = None
    cancelled_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.start_date)

    @property
    def occupied(self) -> int:
        return self.seats_held + self.seats_confirmed

    @property
    def free_seats(self) -> int:
        """Seats neither held nor confirmed (waitlisted nominations may get them)."""
        return max(self.capacity - self.occupied, 0)

    @property
    def seats_available(self) -> int:
        """Free seats a new nomination can get: none once the class is closed or cancelled."""
        return self.free_seats if self.accepting_nominations else 0

    @property
    def accepting_nominations(self) -> bool:
        """Open and full classes take nominations (a full one onto its waitlist)."""
        return self.status in (ClassStatus.OPEN, ClassStatus.FULL)

    def ensure_not_cancelled(self) -> None:
        if self.status is ClassStatus.CANCELLED:
            raise ClassCancelled("A cancelled class cannot change; schedule a new class instead.")

    def reschedule(self, start_date: date, end_date: date, report_date: date) -> None:
        self.ensure_not_cancelled()
        validate_schedule(start_date, end_date, report_date)
        self.start_date, self.end_date, self.report_date = start_date, end_date, report_date

    def change_capacity(self, capacity: int, course: Course) -> None:
        """Capacity may shrink only down to the seats already held or confirmed."""
        self.ensure_not_cancelled()
        if capacity < self.occupied:
            raise CapacityBelowOccupiedSeats(
                f"{self.occupied} seats are held or confirmed: capacity cannot go below that.",
                occupied=self.occupied,
            )
        check_capacity(capacity, course)
        self.capacity = capacity

    def close(self) -> None:
        """No new nominations; held, confirmed and waitlisted seats stay."""
        self.ensure_not_cancelled()
        self.status = ClassStatus.CLOSED

    def reopen(self) -> None:
        self.ensure_not_cancelled()
        self.status = ClassStatus.FULL if self.free_seats == 0 else ClassStatus.OPEN


def validate_schedule(start_date: date, end_date: date, report_date: date) -> None:
    if not report_date <= start_date <= end_date:
        raise InvalidClassSchedule(
            "A class needs report_date <= start_date <= end_date.",
            start_date=start_date.isoformat(),
            end_date=end_date.isoformat(),
            report_date=report_date.isoformat(),
        )


def check_capacity(capacity: int, course: Course) -> None:
    if not course.min_class_size <= capacity <= course.max_class_size:
        raise InvalidCapacity(
            f"Capacity must lie within the course's class size "
            f"({course.min_class_size}-{course.max_class_size}).",
            min_class_size=course.min_class_size,
            max_class_size=course.max_class_size,
        )


def schedule_class(
    course: Course,
    *,
    class_id: UUID,
    start_date: date,
    end_date: date,
    report_date: date,
    capacity: int,
    today: date,
) -> CourseClass:
    """A new, open class of an active course that starts today or later."""
    if not course.active:
        raise CourseInactive(f"Course {course.masl_id} is no longer offered: reactivate it first.")
    validate_schedule(start_date, end_date, report_date)
    if start_date < today:
        raise InvalidClassSchedule(
            "A new class cannot start in the past.", start_date=start_date.isoformat()
        )
    check_capacity(capacity, course)
    return CourseClass(
        id=class_id,
        masl_id=course.masl_id,
        start_date=start_date,
        end_date=end_date,
        report_date=report_date,
        capacity=capacity,
    )
