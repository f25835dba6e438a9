"""Class use cases: schedule a class, change it, cancel it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from catalog.domain import offering as offerings
from catalog.domain.errors import ClassNotFound, UnknownCourse
from catalog.domain.events import ClassChanged, ClassScheduled
from catalog.domain.offering import ClassStatus, CourseClass
from catalog.domain.seats import HoldPolicy, SeatBook
from catalog.service_layer.seat_changes import SeatChanges
from catalog.service_layer.unit_of_work import CatalogUnitOfWork, VersionCheck, snapshot


@dataclass(frozen=True)
class ClassEdit:
    """A manager's change of a class; None leaves a field as it is."""

    start_date: date | None = None
    end_date: date | None = None
    report_date: date | None = None
    capacity: int | None = None
    status: ClassStatus | None = None


async def load_class(uow: CatalogUnitOfWork, class_id: UUID, *, lock: bool = False) -> CourseClass:
    offering = await (uow.classes.lock(class_id) if lock else uow.classes.get(class_id))
    if offering is None:
        raise ClassNotFound(f"No class {class_id}.")
    return offering


async def schedule_class(
    uow: CatalogUnitOfWork,
    *,
    masl_id: str,
    start_date: date,
    end_date: date,
    report_date: date,
    capacity: int,
    today: date,
    class_id: UUID | None = None,
) -> CourseClass:
    """Schedule a class of an active course: report date <= start <= end, starting today or
    later, capacity within the course's class size. It opens at once (`class_scheduled`)."""
    course = await uow.courses.get(masl_id)
    if course is None:
        raise UnknownCourse(f"No course {masl_id} in the catalog.", field="masl_id")
    offering = offerings.schedule_class(
        course,
        class_id=class_id or uuid.uuid4(),
        start_date=start_date,
        end_date=end_date,
        report_date=report_date,
        capacity=capacity,
        today=today,
    )
    await uow.classes.add(offering)
    uow.audit("class.scheduled", "class", str(offering.id), after=snapshot(offering))
    uow.emit([ClassScheduled(offering.id)], {offering.id: offering})
    return offering


async def edit_class(
    uow: CatalogUnitOfWork,
    class_id: UUID,
    edit: ClassEdit,
    check: VersionCheck,
    policy: HoldPolicy,
    now: datetime,
) -> CourseClass:
    """Change a class's dates, capacity or status. Capacity can shrink only down to the seats
    held or confirmed; added seats go to the waitlist first. A manager may close a class (no new
    nominations; seats stay) and reopen it; cancelling has its own operation."""
    offering = await load_class(uow, class_id, lock=True)
    check(offering.id, offering.version)
    changes = SeatChanges(uow, SeatBook(offering, policy, now))
    before = snapshot(offering)
    if edit.start_date or edit.end_date or edit.report_date:
        offering.reschedule(
            edit.start_date or offering.start_date,
            edit.end_date or offering.end_date,
            edit.report_date or offering.report_date,
        )
    if edit.capacity is not None and edit.capacity != offering.capacity:
        course = await uow.courses.get(offering.masl_id)
        assert course is not None
        offering.change_capacity(edit.capacity, course)
    if edit.status is ClassStatus.CLOSED and offering.status is not ClassStatus.CLOSED:
        offering.close()
    elif edit.status is ClassStatus.OPEN and offering.status is ClassStatus.CLOSED:
        offering.reopen()
    if snapshot(offering) == before:
        return offering
    offering.version += 1
    await changes.promote_waitlist()
    changes.book.events.append(ClassChanged(offering.id))
    await changes.commit_to_uow(class_action="class.updated")
    return offering


async def cancel_class(
    uow: CatalogUnitOfWork,
    class_id: UUID,
    reason: str,
    check: VersionCheck,
    policy: HoldPolicy,
    now: datetime,
    reason_code: str = "other",
) -> CourseClass:
    """Cancel a class for good: every hold, confirmed seat and waitlist place is released
    (`seat_released`, reason `class_cancelled`, one per nomination) and the nominations are told
    at once (`class_cancelled` with the affected nomination ids and `reason_code`; the words of
    `reason` stay on the class)."""
    offering = await load_class(uow, class_id, lock=True)
    check(offering.id, offering.version)
    offering.ensure_not_cancelled()
    changes = SeatChanges(uow, SeatBook(offering, policy, now))
    seats = [changes.track(s) for s in await uow.seats.active_in_class(class_id)]
    changes.book.cancel_class(seats, reason, reason_code)
    await changes.commit_to_uow(class_action="class.cancelled")
    return offering
