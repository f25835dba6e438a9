"""Issue 11 row 5 through the gateway: the period of availability has a start.

A class that starts in October-December of next fiscal year may be paid with this year's
funds (fifth quarter) or next year's; next year's are never obligated before 1 October unless
a funding officer records advance availability. Until then the request waits, nothing is
obligated, and no travel order can be issued.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from shared.contracts.types import fiscal_year_bounds, fiscal_year_of
from tests.e2e import screening
from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, Driver, until


def _fifth_quarter_dates(today: date) -> tuple[date, date]:
    """A start in the first quarter of next fiscal year, at least 30 days away; a report date
    the approval (12 months) and the data deadline (16 days) can both reach."""
    start = max(date(fiscal_year_of(today), 10, 4), today + timedelta(days=30))
    report = min(start - timedelta(days=3), today + timedelta(days=300))
    return start, report


async def _class(driver: Driver, masl_id: str, start: date, report: date) -> dict[str, Any]:
    klass: dict[str, Any] = await driver.call(
        "POST", f"{CATALOG}/classes", "catalog_manager",
        json={
            "masl_id": masl_id, "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=55)).isoformat(),
            "report_date": report.isoformat(), "capacity": 4,
        },
    )  # fmt: skip
    return {**klass, "masl_id": masl_id}


async def _request_status(driver: Driver, nomination_id: str) -> str:
    """The status of the nomination's funding request once funding has received it."""

    async def probe() -> str | None:
        page = await driver.call(
            "GET", f"{FUNDING}/requests", "funding_officer", params={"nomination_id": nomination_id}
        )
        return str(page["items"][0]["status"]) if page["items"] else None

    status: str = await until(probe, what=f"funding request of {nomination_id}")
    return status


async def test_next_years_funds_wait_for_their_year_and_this_years_pay_a_fifth_quarter_class(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    this_fy = fiscal_year_of(driver.today)
    next_fy = this_fy + 1
    start, report = _fifth_quarter_dates(driver.today)
    country = await driver.country()
    course = await driver.course_with_class(capacity=4)
    klass = await _class(driver, course["masl_id"], start, report)
    for fy in (this_fy, next_fy):
        await driver.appropriation(fy)
        await driver.allocation(country, fy, "500000.00")
    sco = driver.headers("sco", country)

    waiting = await screening.ready_until(
        driver, country, {**klass, "fiscal_year": next_fy}, "funding"
    )
    status_waiting = await _request_status(driver, waiting["id"])
    gate = await gateway.post(f"{NOMINATIONS}/{waiting['id']}/ito", headers=sco)
    before = await screening.record(driver, waiting["id"], country)
    fifth = await screening.ready(driver, country, {**klass, "fiscal_year": this_fy})
    fifth_order = await screening.issue(driver, fifth["id"], country)
    too_early = await driver.nominate(country, {**klass, "fiscal_year": this_fy - 1}, submit=False)
    refused = await gateway.post(f"{NOMINATIONS}/{too_early['id']}/submit", headers=sco)

    path = f"{FUNDING}/appropriations/{next_fy}"
    etag = (await gateway.get(path, headers=driver.headers("funding_officer"))).headers["etag"]
    first_day, _ = fiscal_year_bounds(next_fy)
    delayed = await gateway.post(
        f"{path}/advance-availability",
        headers={**driver.headers("funding_officer"), "If-Match": etag},
        json={"available_from": (first_day + timedelta(days=1)).isoformat(), "reason": "late"},
    )
    advanced = await driver.call(
        "POST", f"{path}/advance-availability", "funding_officer",
        headers={"If-Match": etag},
        json={"available_from": driver.today.isoformat(), "reason": "apportioned early"},
    )  # fmt: skip
    await driver.wait_status(waiting["id"], country, "ready_for_travel")
    order = await screening.issue(driver, waiting["id"], country)
    after = await screening.record(driver, waiting["id"], country)
    fifth_end = await screening.record(driver, fifth["id"], country)
    audited = await driver.call(
        "GET", f"{FUNDING}/audit", "auditor",
        params={"entity_id": str(next_fy), "action": "appropriation.availability_advanced"},
    )  # fmt: skip

    assert status_waiting == "pending_availability"
    assert gate.status_code == 409
    assert "funds-not-obligated" in gate.text
    assert before.orders == []
    assert before.nomination["status"] == "funding"
    assert before.ledger == []
    assert before.seat is not None
    assert before.seat["status"] == "held"
    assert fifth_order["status"] == "current"
    assert refused.status_code == 422
    assert "fiscal-year-mismatch" in refused.text
    assert (await driver.nomination(too_early["id"], country))["status"] == "draft"
    assert delayed.status_code == 422
    assert delayed.headers["content-type"] == "application/problem+json"
    assert advanced["available_from"] == driver.today.isoformat()
    assert [a["after"]["available_from"] for a in audited["items"]] == [driver.today.isoformat()]
    assert order["status"] == "current"
    assert after.order_status == [(1, "current")]
    assert after.nomination["status"] == "ready_for_travel"
    assert after.transitions[-2:] == ["funding", "ready_for_travel"]
    assert after.ledger_kinds == ["obligation"]
    assert {e["fiscal_year"] for e in after.ledger} == {next_fy}
    assert after.seat is not None
    assert after.seat["status"] == "confirmed"
    assert {e["fiscal_year"] for e in fifth_end.ledger} == {this_fy}
    assert fifth_end.order_status == [(1, "current")]
