"""Domain events become the published contracts, keyed by their aggregate."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from catalog.adapters.publishing import class_state, course_state, stage
from catalog.domain import events as domain
from catalog.domain.course import (
    Course,
    CourseCategory,
    EimetPolicy,
    EnglishRequirement,
    EnglishTest,
    Institution,
)
from catalog.domain.masl import Agency
from catalog.domain.offering import ClassStatus, CourseClass
from shared.contracts.catalog import v1


class RecordingUow:
    def __init__(self) -> None:
        self.published: list[object] = []

    def publish(self, event: object) -> None:
        self.published.append(event)


def a_class() -> CourseClass:
    return CourseClass(
        id=uuid.uuid4(),
        masl_id="P309100",
        start_date=date(2027, 10, 4),
        end_date=date(2027, 12, 17),
        report_date=date(2027, 10, 1),
        capacity=20,
        status=ClassStatus.FULL,
        seats_held=12,
        seats_confirmed=8,
        version=3,
    )


def test_a_course_is_published_with_its_institution_and_tuition_keyed_by_masl() -> None:
    institution = Institution(
        uuid.uuid4(), "NAVSCIATTS", "Stennis Space Center, MS", Agency.NAVY, True, False
    )
    course = Course(
        masl_id="P309100",
        title="Patrol Craft Officer - Riverine",
        institution_id=institution.id,
        category=CourseCategory.TECHNICAL,
        duration_weeks=Decimal("11"),
        english_requirement=EnglishRequirement(EnglishTest.ECL, 65),
        eimet_certified_on=date(2023, 3, 1),
        dedicated_international=True,
        min_class_size=6,
        max_class_size=24,
        tuition={2028: Decimal("19982.00"), 2027: Decimal("19400.00")},
    )

    event = course_state(
        v1.CoursePublishedV1, course, institution, EimetPolicy(validity_years=5, warning_days=90)
    )

    assert event.aggregate_id() == "P309100"
    assert event.institution.government_quarters is True
    assert event.institution.government_mess is False
    assert [(t.fiscal_year, t.amount) for t in event.tuition] == [
        (2027, Decimal("19400.00")),
        (2028, Decimal("19982.00")),
    ]
    assert event.body()["tuition"][0]["amount"] == "19400.00"
    assert event.eimet_certified_through == date(2028, 2, 29)  # the day before the anniversary


def test_a_class_state_carries_its_fiscal_year_and_seat_counts() -> None:
    offering = a_class()

    event = class_state(v1.ClassChangedV1, offering)

    assert event.aggregate_id() == str(offering.id)
    assert (event.fiscal_year, event.status, event.seats_held, event.seats_confirmed) == (
        2028,
        "full",
        12,
        8,
    )


def test_seat_events_come_first_and_a_class_change_is_published_once_with_the_final_state() -> None:
    offering = a_class()
    nomination, backfill = uuid.uuid4(), uuid.uuid4()
    uow = RecordingUow()

    stage(
        uow,  # type: ignore[arg-type]
        [
            domain.ClassChanged(offering.id),
            domain.SeatReleased(
                offering.id,
                "P309100",
                nomination,
                domain.ReleaseReason.WITHDRAWN,
                domain.SeatStatus.CONFIRMED,
            ),
            domain.SeatHeld(
                offering.id,
                "P309100",
                backfill,
                datetime(2027, 9, 15, tzinfo=UTC),
                0,
                promoted_from_waitlist=True,
                backfills_nomination_id=nomination,
            ),
            domain.ClassChanged(offering.id),
        ],
        {offering.id: offering},
    )

    assert [type(e) for e in uow.published] == [v1.SeatReleasedV1, v1.SeatHeldV1, v1.ClassChangedV1]
    held = uow.published[1]
    assert isinstance(held, v1.SeatHeldV1)
    assert held.backfills_nomination_id == nomination
    assert all(e.aggregate_id() == str(offering.id) for e in uow.published)  # type: ignore[attr-defined]
