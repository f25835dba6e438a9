"""Seat holds expire before the report date and their seats go to the waitlist; one sweeper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from catalog.adapters.tables import seat
from catalog.entrypoints.jobs import HOLD_EXPIRY_LOCK, expire_holds_job, expire_lapsed_holds_once
from catalog.service_layer.seating import confirm_seat, expire_lapsed_holds
from services.catalog.tests.integration.builders import ACTOR, CatalogData, payloads
from tests.helpers.fixtures import running
from tests.helpers.waiting import eventually


async def test_lapsed_holds_are_released_and_refilled_but_confirmed_seats_stay(
    catalog_runtime: Any, data: CatalogData
) -> None:
    offering = await data.offering(capacity=2)
    lapsing, confirmed, waiting = [await data.submit(offering) for _ in range(3)]
    async with catalog_runtime.uow(ACTOR) as uow:
        await confirm_seat(
            uow,
            class_id=offering.id,
            nomination_id=confirmed,
            policy=data.policy,
            now=datetime.now(UTC),
        )
        await uow.commit()
    held_until = (await data.seats(offering.id))[lapsing].hold_expires_at
    assert held_until.date() == offering.report_date - timedelta(days=16)

    async with catalog_runtime.uow(ACTOR) as uow:
        released = await expire_lapsed_holds(
            uow, class_id=offering.id, policy=data.policy, now=held_until + timedelta(seconds=1)
        )
        await uow.commit()

    assert released == 1
    seats = await data.seats(offering.id)
    assert (seats[lapsing].status, seats[lapsing].release_reason) == ("released", "hold_expired")
    assert seats[confirmed].status == "confirmed"
    assert seats[waiting].status == "held"
    events = await data.outbox(offering.id)
    assert payloads(events, "seat_released")[-1]["reason"] == "hold_expired"
    assert payloads(events, "seat_held")[-1]["backfills_nomination_id"] == str(lapsing)


async def test_funds_arriving_after_the_hold_lapsed_do_not_confirm_it(
    catalog_runtime: Any, data: CatalogData
) -> None:
    offering = await data.offering(capacity=1)
    nomination = await data.submit(offering)
    held_until = (await data.seats(offering.id))[nomination].hold_expires_at

    async with catalog_runtime.uow(ACTOR) as uow:
        confirmed = await confirm_seat(
            uow,
            class_id=offering.id,
            nomination_id=nomination,
            policy=data.policy,
            now=held_until + timedelta(minutes=1),
        )
        await uow.commit()

    assert confirmed is False
    assert (await data.seats(offering.id))[nomination].release_reason == "hold_expired"


async def test_a_sweep_is_skipped_while_another_instance_holds_the_lock(
    catalog_runtime: Any,
) -> None:
    async with catalog_runtime.engine.connect() as other:
        await other.execute(select(func.pg_advisory_lock(HOLD_EXPIRY_LOCK)))

        skipped = await expire_lapsed_holds_once(catalog_runtime)

        await other.execute(select(func.pg_advisory_unlock(HOLD_EXPIRY_LOCK)))
    ran = await expire_lapsed_holds_once(catalog_runtime)

    assert skipped is None
    assert ran is not None


async def test_the_periodic_job_releases_a_hold_once_it_lapses(
    make_runtime: Callable[[str], Awaitable[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_HOLD_EXPIRY_INTERVAL_SECONDS", "0.2")
    runtime = await make_runtime("catalog")
    data = CatalogData(runtime)
    offering = await data.offering(capacity=1)
    nomination = await data.submit(offering)
    async with runtime.sessions() as s, s.begin():
        await s.execute(
            update(seat)
            .where(seat.c.nomination_id == nomination)
            .values(hold_expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )

    async with running(lambda stop: expire_holds_job(runtime, stop)):
        seats = await eventually(
            lambda: data.seats(offering.id), lambda s: s[nomination].status == "released"
        )

    assert seats[nomination].release_reason == "hold_expired"
    assert (await data.class_row(offering.id)).status == "open"
