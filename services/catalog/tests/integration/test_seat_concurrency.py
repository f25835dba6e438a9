"""Capacity is never exceeded, even when a hundred nominations race for the last seats."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from catalog.adapters.tables import seat
from catalog.domain.events import ReleaseReason
from catalog.service_layer.seating import release_seat, request_seat
from services.catalog.tests.integration.builders import ACTOR, CatalogData

RACERS = 100


@pytest.fixture
async def wide_runtime(
    make_runtime: Callable[[str], Awaitable[Any]], monkeypatch: pytest.MonkeyPatch
) -> Any:
    """A catalog runtime with enough connections for dozens of truly simultaneous transactions."""
    monkeypatch.setenv("CATALOG_DB_POOL_SIZE", "40")
    monkeypatch.setenv("CATALOG_DB_POOL_OVERFLOW", "10")
    # Dozens in the database at once (the proof of overlap needs >= 10), not all of them: the
    # rest queue in the process, as in production (docs/adr/0011).
    monkeypatch.setenv("CATALOG_DB_MAX_TRANSACTIONS", "12")
    return await make_runtime("catalog")


class InFlight:
    """Counts database transactions open at the same time (proof that the requests overlapped)."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0

    def enter(self) -> None:
        self.now += 1
        self.most = max(self.most, self.now)

    def leave(self) -> None:
        self.now -= 1


async def _request(
    runtime: Any,
    data: CatalogData,
    class_id: uuid.UUID,
    masl_id: str,
    nomination: uuid.UUID,
    in_flight: InFlight | None = None,
) -> None:
    async with runtime.uow(ACTOR) as uow:
        await uow.session.execute(text("SELECT 1"))  # the transaction holds a connection now
        if in_flight:
            in_flight.enter()
        await request_seat(
            uow,
            class_id=class_id,
            masl_id=masl_id,
            nomination_id=nomination,
            country="GTM",
            policy=data.policy,
            now=datetime.now(UTC),
        )
        await uow.commit()
        if in_flight:
            in_flight.leave()


async def test_a_hundred_simultaneous_requests_for_three_seats_hold_three_and_waitlist_the_rest(
    wide_runtime: Any,
) -> None:
    data = CatalogData(wide_runtime)
    offering = await data.offering(capacity=20)
    for _ in range(17):
        await data.submit(offering)
    racers = [uuid.uuid4() for _ in range(RACERS)]
    in_flight = InFlight()

    await asyncio.gather(
        *(_request(wide_runtime, data, offering.id, offering.masl_id, n, in_flight) for n in racers)
    )

    assert in_flight.most >= 10
    seats = await data.seats(offering.id)
    statuses = Counter(seats[n].status for n in racers)
    assert statuses == {"held": 3, "waitlisted": 97}
    stored = await data.class_row(offering.id)
    assert (stored.seats_held, stored.seats_confirmed, stored.seats_waitlisted) == (20, 0, 97)
    assert stored.status == "full"
    assert sorted(seats[n].waitlist_seq for n in racers if seats[n].status == "waitlisted") == list(
        range(1, 98)
    )
    events = await data.outbox(offering.id)
    held = [p for t, p in events if t == "imet.catalog.seat_held.v1"]
    waitlisted = [p for t, p in events if t == "imet.catalog.seat_waitlisted.v1"]
    assert (len(held), len(waitlisted)) == (20, 97)
    assert sorted(p["position"] for p in waitlisted) == list(range(1, 98))


async def test_simultaneous_releases_and_requests_keep_counters_equal_to_the_seats(
    wide_runtime: Any,
) -> None:
    data = CatalogData(wide_runtime)
    offering = await data.offering(capacity=10)
    seated = [await data.submit(offering) for _ in range(15)]
    newcomers = [uuid.uuid4() for _ in range(30)]

    async def leave(nomination: uuid.UUID) -> None:
        async with wide_runtime.uow(ACTOR) as uow:
            await release_seat(
                uow,
                nomination_id=nomination,
                reason=ReleaseReason.WITHDRAWN,
                policy=data.policy,
                now=datetime.now(UTC),
            )
            await uow.commit()

    await asyncio.gather(
        *(leave(n) for n in seated[:8]),
        *(_request(wide_runtime, data, offering.id, offering.masl_id, n) for n in newcomers),
    )

    seats = await data.seats(offering.id)
    counts = Counter(s.status for s in seats.values())
    stored = await data.class_row(offering.id)
    assert (stored.seats_held, stored.seats_waitlisted) == (counts["held"], counts["waitlisted"])
    assert counts["held"] == 10
    assert counts["released"] == 8
    assert counts["waitlisted"] == 15 + 30 - 8 - 10


async def test_the_database_refuses_a_seat_beyond_capacity_whatever_the_code_does(
    catalog_runtime: Any, data: CatalogData
) -> None:
    offering = await data.offering(capacity=1)
    await data.submit(offering)

    with pytest.raises(IntegrityError, match="ck_course_class_capacity_not_exceeded"):
        async with catalog_runtime.sessions() as session, session.begin():
            await session.execute(
                insert(seat).values(
                    id=uuid.uuid4(),
                    class_id=offering.id,
                    nomination_id=uuid.uuid4(),
                    status="held",
                    hold_expires_at=datetime.now(UTC),
                )
            )

    async with catalog_runtime.sessions() as session:
        held = await session.scalar(select(func.count()).where(seat.c.class_id == offering.id))
    assert held == 1
