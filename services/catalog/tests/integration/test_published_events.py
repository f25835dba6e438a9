"""What the catalog publishes on `imet.catalog.events`: types, keys and bodies consumers read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from catalog.adapters.tables import platform
from services.catalog.tests.integration.builders import CatalogData
from shared.contracts.catalog import v1
from shared.contracts.envelope import event_class
from shared.messaging.kafka import physical_topic
from shared.runner import build_relay
from tests.helpers.fixtures import running
from tests.helpers.kafka import headers_of, read_all
from tests.helpers.waiting import eventually


async def _unpublished(runtime: Any) -> int:
    t = platform.outbox
    async with runtime.sessions() as s:
        return int(await s.scalar(select(func.count()).where(t.c.published_at.is_(None))) or 0)


async def test_course_class_and_seat_events_are_published_keyed_by_their_aggregate(
    catalog_runtime: Any, data: CatalogData, topic_prefix: str
) -> None:
    course = await data.course()
    offering = await data.offering(capacity=1, masl_id=course.masl_id)
    holder = await data.submit(offering)
    waiting = await data.submit(offering)

    async with running(build_relay(catalog_runtime).run):
        await eventually(lambda: _unpublished(catalog_runtime), lambda n: n == 0)
    records = await read_all(physical_topic(v1.TOPIC, topic_prefix))

    by_course = [r for r in records if r.key == course.masl_id.encode()]
    by_class = [r for r in records if r.key == str(offering.id).encode()]
    assert [headers_of(r)["ce_type"] for r in by_course] == ["imet.catalog.course_published.v1"]
    assert [headers_of(r)["ce_type"] for r in by_class] == [
        "imet.catalog.class_scheduled.v1",
        "imet.catalog.seat_held.v1",
        "imet.catalog.class_changed.v1",
        "imet.catalog.seat_waitlisted.v1",
    ]
    assert {headers_of(r)["ce_source"] for r in by_course + by_class} == {"/imet/catalog"}
    assert {headers_of(r)["ce_subject"] for r in by_class} == {str(offering.id)}
    bodies = [event_class(headers_of(r)["ce_type"]).model_validate_json(r.value) for r in by_class]  # type: ignore[union-attr]
    held, changed, waitlisted = bodies[1], bodies[2], bodies[3]
    assert isinstance(held, v1.SeatHeldV1)
    assert (held.nomination_id, held.seats_available, held.promoted_from_waitlist) == (
        holder,
        0,
        False,
    )
    assert isinstance(changed, v1.ClassChangedV1)
    assert (changed.status, changed.seats_held, changed.version) == ("full", 1, 2)
    assert isinstance(waitlisted, v1.SeatWaitlistedV1)
    assert (waitlisted.nomination_id, waitlisted.position) == (waiting, 1)
    published = v1.CoursePublishedV1.model_validate_json(by_course[0].value)
    assert published.tuition == [v1.TuitionRateV1(fiscal_year=2027, amount=course.tuition[2027])]
