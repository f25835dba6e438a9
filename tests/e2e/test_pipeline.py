"""The pipeline end to end: real processes, driven through the gateway with each role's token."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, Driver


async def _ready_world(
    driver: Driver, *, capacity: int = 5, allocation: str = "1000000.00", **klass: Any
) -> tuple[str, dict[str, Any]]:
    country = await driver.country()
    made = await driver.course_with_class(capacity=capacity, **klass)
    await driver.appropriation(made["fiscal_year"])
    await driver.allocation(country, made["fiscal_year"], allocation)
    return country, made


async def _seats(driver: Driver, class_id: str) -> dict[str, Any]:
    return await driver.call("GET", f"{CATALOG}/classes/{class_id}", "catalog_manager")


async def test_denial_ends_the_nomination_and_frees_its_seat(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await _ready_world(driver, capacity=2)
    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")

    await driver.decide(nomination["id"], "denied", "derogatory_information")
    final = await driver.wait_status(nomination["id"], country, "vetting_denied")
    seats = await _seats(driver, klass["id"])

    assert final["status_reason"] == "derogatory_information"
    assert final["funding"]["status"] == "none"
    assert seats["seats_held"] == 0
    assert seats["seats_available"] == 2


async def test_suspension_waits_and_a_later_approval_resumes(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await _ready_world(driver)
    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")

    await driver.decide(nomination["id"], "suspended", "insufficient_information")
    suspended = await driver.wait_status(nomination["id"], country, "vetting_suspended")
    await driver.decide(nomination["id"], "approved")
    final = await driver.wait_status(nomination["id"], country, "ready_for_travel")

    assert suspended["status_reason"] == "insufficient_information"
    assert final["seat"]["status"] == "confirmed"
    assert final["funding"]["status"] == "obligated"


async def test_insufficient_funds_waits_until_the_allocation_grows_and_funding_is_retried(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await _ready_world(driver, allocation="1000.00", tuition="20000.00")
    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")

    await driver.decide(nomination["id"], "approved")
    rejected = await driver.wait_status(nomination["id"], country, "funding_rejected")
    allocations = await driver.call(
        "GET", f"{FUNDING}/allocations", "funding_officer", params={"country": country}
    )
    allocation = allocations["items"][0]
    current = await gateway.get(
        f"{FUNDING}/allocations/{allocation['id']}", headers=driver.headers("funding_officer")
    )
    await driver.call(
        "PATCH",
        f"{FUNDING}/allocations/{allocation['id']}",
        "funding_officer",
        headers={"If-Match": current.headers["etag"]},
        json={"amount": "500000.00", "reason": "reprogrammed for the e2e student"},
    )
    await driver.call("POST", f"{NOMINATIONS}/{nomination['id']}/retry-funding", "sco", country)
    final = await driver.wait_status(nomination["id"], country, "ready_for_travel")

    assert rejected["status_reason"] == "insufficient_funds"
    assert rejected["seat"]["status"] == "held"
    assert final["funding"]["status"] == "obligated"


async def test_a_full_class_waitlists_and_promotes_when_a_seat_frees(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await _ready_world(driver, capacity=1)
    first = await driver.nominate(country, klass)
    await driver.wait_status(first["id"], country, "vetting")
    second = await driver.nominate(country, klass)
    await driver.wait_status(second["id"], country, "waitlisted")
    await driver.decide(first["id"], "approved")
    await driver.decide(second["id"], "approved")
    await driver.wait_status(first["id"], country, "ready_for_travel")
    still_waiting = await driver.wait_status(second["id"], country, "waitlisted")

    await driver.call(
        "POST", f"{NOMINATIONS}/{first['id']}/withdraw", "sco", country, json={"reason": "injured"}
    )
    promoted = await driver.wait_status(second["id"], country, "ready_for_travel")
    await driver.wait_status(first["id"], country, "withdrawn")
    withdrawn = await driver.wait_compensated(first["id"], country, "seat_release")
    seats = await _seats(driver, klass["id"])

    assert still_waiting["seat"]["waitlist_position"] == 1
    assert promoted["seat"]["status"] == "confirmed"
    assert withdrawn["compensations"]["seat_release"] == "confirmed"
    assert seats["seats_confirmed"] == 1


async def test_withdrawal_after_funding_returns_the_seat_and_the_money_minus_the_penalty(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    # Country cancels less than 60 days before the start of a shared course: 50% of tuition.
    country, klass = await _ready_world(driver, capacity=3, tuition="20000.00", start_in_days=40)
    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")
    await driver.decide(nomination["id"], "approved")
    funded = await driver.wait_status(nomination["id"], country, "ready_for_travel")
    before = await driver.balance(country, klass["fiscal_year"])

    await driver.call(
        "POST",
        f"{NOMINATIONS}/{nomination['id']}/withdraw",
        "sco",
        country,
        json={"reason": "recalled"},
    )
    await driver.wait_status(nomination["id"], country, "withdrawn")
    withdrawn = await driver.wait_compensated(
        nomination["id"], country, "seat_release", "deobligation"
    )
    after = await driver.balance(country, klass["fiscal_year"])
    seats = await _seats(driver, klass["id"])

    obligated = Decimal(funded["funding"]["obligated_amount"])
    assert withdrawn["compensations"]["seat_release"] == "confirmed"
    assert withdrawn["compensations"]["deobligation"] == "confirmed"
    assert Decimal(withdrawn["funding"]["penalty_amount"]) == Decimal("10000.00")
    assert Decimal(after["available"]) - Decimal(before["available"]) == obligated - Decimal(
        "10000.00"
    )
    assert seats["seats_confirmed"] == 0
    assert seats["seats_available"] == 3


async def test_cancelling_a_class_cancels_its_nominations_without_penalty(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await _ready_world(driver, capacity=2, dedicated=True)
    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")
    await driver.decide(nomination["id"], "approved")
    await driver.wait_status(nomination["id"], country, "ready_for_travel")
    current = await gateway.get(
        f"{CATALOG}/classes/{klass['id']}", headers=driver.headers("catalog_manager")
    )

    await driver.call(
        "POST",
        f"{CATALOG}/classes/{klass['id']}/cancel",
        "catalog_manager",
        headers={"If-Match": current.headers["etag"]},
        json={"reason": "instructor shortage"},
    )
    await driver.wait_status(nomination["id"], country, "cancelled")
    cancelled = await driver.wait_compensated(nomination["id"], country, "deobligation")
    balance = await driver.balance(country, klass["fiscal_year"])

    assert cancelled["status_reason"] == "class_cancelled"
    assert cancelled["seat"]["status"] == "released"  # the catalog released it with the class
    assert cancelled["compensations"]["deobligation"] == "confirmed"
    assert Decimal(balance["committed"]) == Decimal("0.00")
