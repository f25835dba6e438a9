"""Class use cases on the fakes: schedule, change capacity and status, cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.domain.errors import CapacityBelowOccupiedSeats, ClassCancelled, CourseInactive
from catalog.domain.events import ReleaseReason, SeatStatus
from catalog.domain.offering import ClassStatus
from catalog.service_layer import classes, courses
from catalog.service_layer.classes import ClassEdit
from catalog.service_layer.unit_of_work import no_check
from services.catalog.tests.unit.builders import EIMET, NOW, POLICY, FakeCatalog
from shared.contracts.catalog import v1


async def test_a_scheduled_class_opens_at_once_and_is_published_in_full() -> None:
    catalog = FakeCatalog()

    offering = await catalog.offering(capacity=12)

    scheduled = catalog.published()[-1]
    assert isinstance(scheduled, v1.ClassScheduledV1)
    assert (scheduled.class_id, scheduled.status, scheduled.capacity) == (offering.id, "open", 12)
    assert scheduled.fiscal_year == offering.fiscal_year
    assert catalog.store.classes[offering.id].status is ClassStatus.OPEN


async def test_a_retired_course_takes_no_new_class() -> None:
    catalog = FakeCatalog()
    course = await catalog.course()
    async with catalog.uow() as uow:
        await courses.retire_course(uow, course.masl_id, no_check, EIMET)
        await uow.commit()

    with pytest.raises(CourseInactive):
        await catalog.offering(masl_id=course.masl_id)

    assert catalog.store.classes == {}


async def test_capacity_shrinks_only_to_the_occupied_seats_and_growth_promotes_the_waitlist() -> (
    None
):
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)
    held = [await catalog.submit(offering) for _ in range(2)]
    waiting = await catalog.submit(offering)

    async with catalog.uow() as uow:
        with pytest.raises(CapacityBelowOccupiedSeats):
            await classes.edit_class(uow, offering.id, ClassEdit(capacity=1), no_check, POLICY, NOW)
    async with catalog.uow() as uow:
        changed = await classes.edit_class(
            uow, offering.id, ClassEdit(capacity=3), no_check, POLICY, NOW
        )
        await uow.commit()

    assert changed.capacity == 3
    seats = catalog.seats(offering.id)
    assert [seats[n].status for n in held] == [SeatStatus.HELD, SeatStatus.HELD]
    assert (seats[waiting].status, seats[waiting].promoted_from_waitlist) == (SeatStatus.HELD, True)
    assert [type(e) for e in uow.committed_events] == [v1.SeatHeldV1, v1.ClassChangedV1]
    final = uow.committed_events[-1]
    assert isinstance(final, v1.ClassChangedV1)
    assert (final.capacity, final.seats_held, final.status) == (3, 3, "full")
    assert "class.updated" in [a.action for a in uow.committed_audits]


async def test_a_closed_class_takes_no_nomination_and_reopens_as_its_seats_say() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=1)
    await catalog.submit(offering)
    async with catalog.uow() as uow:
        await classes.edit_class(
            uow, offering.id, ClassEdit(status=ClassStatus.CLOSED), no_check, POLICY, NOW
        )
        await uow.commit()

    turned_away = await catalog.submit(offering)
    async with catalog.uow() as uow:
        reopened = await classes.edit_class(
            uow, offering.id, ClassEdit(status=ClassStatus.OPEN), no_check, POLICY, NOW
        )
        await uow.commit()

    assert turned_away not in catalog.seats(offering.id)
    released = [e for e in catalog.published() if isinstance(e, v1.SeatReleasedV1)]
    assert [(e.nomination_id, e.reason) for e in released] == [(turned_away, "class_cancelled")]
    assert reopened.status is ClassStatus.FULL


async def test_a_cancelled_class_releases_every_seat_and_tells_the_nominations_at_once() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=1)
    holder, waiting = await catalog.submit(offering), await catalog.submit(offering)

    async with catalog.uow() as uow:
        await classes.cancel_class(
            uow,
            offering.id,
            "Range closed for repairs",
            no_check,
            POLICY,
            NOW,
            reason_code="facility_unavailable",
        )
        await uow.commit()

    seats = catalog.seats(offering.id)
    assert {seats[n].release_reason for n in (holder, waiting)} == {ReleaseReason.CLASS_CANCELLED}
    cancelled = [e for e in uow.committed_events if isinstance(e, v1.ClassCancelledV1)]
    assert [(e.reason, e.affected_nomination_ids) for e in cancelled] == [
        ("facility_unavailable", [holder, waiting])
    ]
    assert [type(e) for e in uow.committed_events][-1] is v1.ClassChangedV1
    stored = catalog.store.classes[offering.id]
    assert (stored.status, stored.cancel_reason) == (
        ClassStatus.CANCELLED,
        "Range closed for repairs",
    )
    assert "class.cancelled" in [a.action for a in uow.committed_audits]


async def test_a_cancelled_class_cannot_change_again() -> None:
    catalog = FakeCatalog()
    offering = await catalog.offering(capacity=2)
    async with catalog.uow() as uow:
        await classes.cancel_class(uow, offering.id, "Gone", no_check, POLICY, NOW)
        await uow.commit()

    later = ClassEdit(start_date=offering.start_date + timedelta(days=7))
    async with catalog.uow() as uow:
        with pytest.raises(ClassCancelled):
            await classes.cancel_class(uow, offering.id, "Again", no_check, POLICY, NOW)
        with pytest.raises(ClassCancelled):
            await classes.edit_class(uow, offering.id, later, no_check, POLICY, NOW)

    assert catalog.store.classes[offering.id].cancel_reason == "Gone"
