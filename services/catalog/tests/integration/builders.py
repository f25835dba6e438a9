"""Builders for catalog integration tests: unique data per test, against the worker database."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from catalog.adapters.tables import course_class, platform, seat
from catalog.domain.course import (
    Course,
    CourseCategory,
    EnglishRequirement,
    EnglishTest,
    Institution,
)
from catalog.domain.masl import Agency
from catalog.domain.offering import CourseClass
from catalog.service_layer import classes, courses, institutions
from catalog.service_layer.seating import request_seat
from shared.auth.principal import system_actor

ACTOR = system_actor("catalog-test")


def random_masl(letter: str | None = None) -> str:
    return f"{letter or random.choice('BDPMZQ')}{random.randint(0, 999_999):06d}"


class CatalogData:
    """Creates institutions, courses, classes and seats through the use cases (committed)."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.policy = runtime.settings.hold_policy()

    async def institution(self, **overrides: Any) -> Institution:
        values: dict[str, Any] = {
            "name": f"Test School {uuid.uuid4().hex[:10]}",
            "location": "Fort Test, KS",
            "implementing_agency": Agency.ARMY,
            "government_quarters": True,
            "government_mess": False,
        }
        values.update(overrides)
        async with self.runtime.uow(ACTOR) as uow:
            item = await institutions.create_institution(uow, **values)
            await uow.commit()
        return item

    async def course(self, institution_id: uuid.UUID | None = None, **overrides: Any) -> Course:
        if institution_id is None:
            institution_id = (await self.institution()).id
        values: dict[str, Any] = {
            "masl_id": random_masl(),
            "title": f"Test Course {uuid.uuid4().hex[:8]}",
            "institution_id": institution_id,
            "category": CourseCategory.TECHNICAL,
            "duration_weeks": Decimal("8"),
            "english_requirement": EnglishRequirement(EnglishTest.ECL, 70),
            "eimet_certified_on": None,
            "dedicated_international": False,
            "min_class_size": 1,
            "max_class_size": 200,
            "tuition": {2027: Decimal("12000.00")},
        }
        values.update(overrides)
        values["category"] = CourseCategory(values["category"])
        async with self.runtime.uow(ACTOR) as uow:
            item, _ = await courses.publish_course(
                uow, Course(**values), self.runtime.settings.eimet_policy()
            )
            await uow.commit()
        return item

    async def offering(
        self, capacity: int = 5, masl_id: str | None = None, start_in_days: int = 120
    ) -> CourseClass:
        masl_id = masl_id or (await self.course()).masl_id
        start = datetime.now(UTC).date() + timedelta(days=start_in_days)
        async with self.runtime.uow(ACTOR) as uow:
            item = await classes.schedule_class(
                uow,
                masl_id=masl_id,
                start_date=start,
                end_date=start + timedelta(days=60),
                report_date=start - timedelta(days=3),
                capacity=capacity,
                today=datetime.now(UTC).date(),
            )
            await uow.commit()
        return item

    async def submit(
        self, offering: CourseClass, nomination_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        nomination_id = nomination_id or uuid.uuid4()
        async with self.runtime.uow(ACTOR) as uow:
            await request_seat(
                uow,
                class_id=offering.id,
                masl_id=offering.masl_id,
                nomination_id=nomination_id,
                country="GTM",
                policy=self.policy,
                now=datetime.now(UTC),
            )
            await uow.commit()
        return nomination_id

    async def seats(self, class_id: uuid.UUID) -> dict[uuid.UUID, Any]:
        async with self.runtime.sessions() as s:
            rows = await s.execute(select(seat).where(seat.c.class_id == class_id))
            return {r.nomination_id: r for r in rows}

    async def released_early(self, nomination_id: uuid.UUID) -> bool:
        async with self.runtime.uow(ACTOR) as uow:
            return await uow.seats.released_early(nomination_id)

    async def applied(self, event_id: str) -> bool:
        """The catalog consumer has applied (or skipped as a duplicate) this event."""
        async with self.runtime.sessions() as s:
            found = await s.scalar(
                select(platform.inbox.c.message_id).where(platform.inbox.c.message_id == event_id)
            )
            return found is not None

    async def class_row(self, class_id: uuid.UUID) -> Any:
        async with self.runtime.sessions() as s:
            return (
                await s.execute(select(course_class).where(course_class.c.id == class_id))
            ).one()

    async def outbox(self, aggregate_id: object) -> list[tuple[str, dict[str, Any]]]:
        """(type, payload) of the events staged for an aggregate, in order."""
        t = platform.outbox
        async with self.runtime.sessions() as s:
            rows = await s.execute(
                select(t.c.type, t.c.payload)
                .where(t.c.aggregateid == str(aggregate_id))
                .order_by(t.c.seq)
            )
            return [(r.type, r.payload) for r in rows]


Deliver = Callable[..., Awaitable[None]]


def payloads(events: list[tuple[str, dict[str, Any]]], kind: str) -> list[dict[str, Any]]:
    """The payloads of the `imet.catalog.<kind>.v1` events among `events`."""
    return [p for t, p in events if t == f"imet.catalog.{kind}.v1"]
