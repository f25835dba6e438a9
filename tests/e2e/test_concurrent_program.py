"""500 nominations from 20 countries at once: all settle correctly, money and seats add up."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, Driver
from tests.helpers.timing import scaled

COUNTRIES = 20
PER_COUNTRY = 25
CLASSES = 10
CAPACITY = 44  # 440 seats for 500 nominations: 60 wait
AFFORDABLE = 20  # each allocation pays for exactly 20 training lines
SETTLED = {"ready_for_travel", "funding_rejected", "waitlisted"}


async def _gather_limited(limit: int, coroutines: list[Any]) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(c: Any) -> Any:
        async with gate:
            return await c

    return await asyncio.gather(*(one(c) for c in coroutines))


async def _all_nominations(driver: Driver, country: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {
            "country": country,
            "limit": 200,
            **({"cursor": cursor} if cursor else {}),
        }
        page = await driver.call("GET", NOMINATIONS, "admin", params=params)
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


@pytest.mark.timeout(900)  # ~45 s alone; it may wait up to 400 s for the pipeline to settle
async def test_five_hundred_concurrent_nominations_settle_with_money_and_seats_consistent(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    classes = [
        await driver.course_with_class(capacity=CAPACITY, tuition="15000.00")
        for _ in range(CLASSES)
    ]
    fiscal_year = classes[0]["fiscal_year"]
    await driver.appropriation(fiscal_year)
    countries = [await driver.country() for _ in range(COUNTRIES)]
    cost: dict[str, Decimal] = {}
    for country in countries:
        estimate = await _estimate(driver, classes[0]["id"], country)
        cost[country] = estimate
        await driver.allocation(country, fiscal_year, estimate * AFFORDABLE)
    started = time.monotonic()

    nominations = await _gather_limited(
        32,
        [
            driver.nominate(country, classes[(c * PER_COUNTRY + i) % CLASSES])
            for c, country in enumerate(countries)
            for i in range(PER_COUNTRY)
        ],
    )
    created = time.monotonic()
    await _gather_limited(32, [driver.decide(n["id"], "approved") for n in nominations])
    decided = time.monotonic()
    final = await _settled(driver, countries, timeout=400)
    elapsed = time.monotonic() - started

    assert len(final) == COUNTRIES * PER_COUNTRY
    assert {n["status"] for n in final} <= SETTLED, Counter(n["status"] for n in final)
    by_country: dict[str, Counter[str]] = defaultdict(Counter)
    for n in final:
        by_country[n["country"]][n["status"]] += 1
    for country in countries:
        seated = by_country[country]["ready_for_travel"] + by_country[country]["funding_rejected"]
        assert by_country[country]["ready_for_travel"] == min(seated, AFFORDABLE), (
            country,
            by_country[country],
        )
        balance = await driver.balance(country, fiscal_year)
        obligations = await driver.call(
            "GET",
            f"{FUNDING}/obligations",
            "funding_officer",
            params={"country": country, "status": "active", "limit": 200},
        )
        assert len(obligations["items"]) == by_country[country]["ready_for_travel"]
        assert sum(Decimal(o["amount"]) for o in obligations["items"]) == Decimal(
            balance["obligated"]
        )
        assert Decimal(balance["obligated"]) <= Decimal(balance["allocated"])
    consistency = await driver.call(
        "GET", f"{FUNDING}/consistency", "funding_officer", params={"fiscal_year": fiscal_year}
    )
    assert consistency["ok"] is True
    per_class = Counter((n["class_id"], n["status"]) for n in final)
    for klass in classes:
        seats = await driver.call("GET", f"{CATALOG}/classes/{klass['id']}", "catalog_manager")
        assert seats["seats_held"] + seats["seats_confirmed"] <= seats["capacity"]
        assert seats["seats_confirmed"] == per_class[(klass["id"], "ready_for_travel")]
        assert seats["seats_held"] == per_class[(klass["id"], "funding_rejected")]
    print(
        f"500 nominations settled in {elapsed:.1f}s (created {created - started:.1f}s, "
        f"decided {decided - created:.1f}s): {Counter(n['status'] for n in final)}"
    )


async def _estimate(driver: Driver, class_id: str, country: str) -> Decimal:
    async def probe() -> Decimal | None:
        r = await driver.client.post(
            f"{FUNDING}/estimates",
            headers=driver.headers("funding_officer"),
            json={"class_id": class_id, "country": country, "with_dependents": False},
        )
        return Decimal(r.json()["total"]) if r.status_code == 200 else None

    from tests.e2e.driver import until

    return await until(probe, what="the class in funding's read model")  # type: ignore[no-any-return]


async def _settled(driver: Driver, countries: list[str], *, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + scaled(timeout)
    while True:
        everything = [n for c in countries for n in await _all_nominations(driver, c)]
        pending = [n for n in everything if n["status"] not in SETTLED]
        if not pending or time.monotonic() > deadline:
            return everything
        await asyncio.sleep(1.0)
