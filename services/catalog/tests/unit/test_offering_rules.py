"""Scheduling a class and a manager's changes to it."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from catalog.domain.course import Course, CourseCategory
from catalog.domain.errors import (
    CapacityBelowOccupiedSeats,
    ClassCancelled,
    CourseInactive,
    InvalidCapacity,
    InvalidClassSchedule,
)
from catalog.domain.offering import ClassStatus, CourseClass, schedule_class

TODAY = date(2026, 11, 28)


def a_course(active: bool = True) -> Course:
    return Course(
        masl_id="B171051",
        title="CGSOC",
        institution_id=uuid.uuid4(),
        category=CourseCategory.PME,
        duration_weeks=Decimal("44"),
        english_requirement=None,
        eimet_certified_on=None,
        dedicated_international=False,
        min_class_size=5,
        max_class_size=40,
        active=active,
    )


def schedule(course: Course | None = None, **overrides: object) -> CourseClass:
    values: dict[str, object] = {
        "class_id": uuid.uuid4(),
        "start_date": date(2027, 2, 1),
        "end_date": date(2027, 4, 2),
        "report_date": date(2027, 1, 29),
        "capacity": 20,
        "today": TODAY,
    }
    values.update(overrides)
    return schedule_class(course or a_course(), **values)  # type: ignore[arg-type]


def test_a_scheduled_class_is_open_in_the_fiscal_year_of_its_start() -> None:
    offering = schedule(
        start_date=date(2027, 10, 1), end_date=date(2027, 12, 1), report_date=date(2027, 9, 28)
    )

    assert offering.status is ClassStatus.OPEN
    assert offering.fiscal_year == 2028
    assert offering.seats_available == 20


@pytest.mark.parametrize(
    "dates",
    [
        {"report_date": date(2027, 2, 2)},
        {"end_date": date(2027, 1, 31)},
        {"start_date": date(2026, 11, 27), "report_date": date(2026, 11, 20)},
    ],
)
def test_inconsistent_or_past_dates_are_refused(dates: dict[str, date]) -> None:
    with pytest.raises(InvalidClassSchedule):
        schedule(**dates)


@pytest.mark.parametrize("capacity", [4, 41])
def test_capacity_must_fit_the_course_class_size(capacity: int) -> None:
    with pytest.raises(InvalidCapacity):
        schedule(capacity=capacity)


def test_a_retired_course_gets_no_new_class() -> None:
    with pytest.raises(CourseInactive):
        schedule(a_course(active=False))


def test_capacity_cannot_go_below_the_seats_held_and_confirmed() -> None:
    offering = schedule(capacity=20)
    offering.seats_held, offering.seats_confirmed = 6, 5

    with pytest.raises(CapacityBelowOccupiedSeats):
        offering.change_capacity(10, a_course())
    offering.change_capacity(11, a_course())

    assert offering.capacity == 11


def test_reopening_a_class_without_free_seats_makes_it_full() -> None:
    offering = schedule(capacity=5)
    offering.seats_confirmed = 5
    offering.close()

    offering.reopen()

    assert offering.status is ClassStatus.FULL


def test_a_cancelled_class_cannot_change() -> None:
    offering = schedule()
    offering.status = ClassStatus.CANCELLED

    with pytest.raises(ClassCancelled):
        offering.reschedule(date(2027, 3, 1), date(2027, 4, 1), date(2027, 2, 27))
