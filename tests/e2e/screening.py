"""Helpers of the continuous-screening scenarios (issue 11), on top of `driver.Driver`.

Every scenario ends by reading four records through the gateway: the travel order's status,
the nomination's state and history, the funding ledger of the line, and the seat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, Driver, until


@dataclass
class Record:
    """What the four owners say about one nomination at the end of a scenario."""

    nomination: dict[str, Any]
    history: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    seat: dict[str, Any] | None

    @property
    def order_status(self) -> list[tuple[int, str]]:
        return [(o["version"], o["status"]) for o in self.orders]

    @property
    def ledger_kinds(self) -> list[str]:
        return [e["kind"] for e in self.ledger]

    def ledger_total(self, kind: str) -> Decimal:
        return sum((Decimal(e["amount"]) for e in self.ledger if e["kind"] == kind), Decimal(0))

    def reasons(self, kind: str | None = None) -> list[str | None]:
        return [h["reason"] for h in self.history if kind is None or h["kind"] == kind]

    @property
    def transitions(self) -> list[str]:
        return [h["to_state"] for h in self.history if h["kind"] == "transition"]


async def world(
    driver: Driver, *, allocation: str = "1000000.00", **klass: Any
) -> tuple[str, dict[str, Any]]:
    country = await driver.country()
    made = await driver.course_with_class(**klass)
    await driver.appropriation(made["fiscal_year"])
    await driver.allocation(country, made["fiscal_year"], allocation)
    return country, made


async def ready(
    driver: Driver, country: str, klass: dict[str, Any], **nominate: Any
) -> dict[str, Any]:
    nomination = await driver.nominate(country, klass, **nominate)
    await driver.wait_status(nomination["id"], country, "vetting")
    await driver.decide(nomination["id"], "approved")
    return await driver.wait_status(nomination["id"], country, "ready_for_travel")


async def issue(driver: Driver, nomination_id: str, country: str) -> dict[str, Any]:
    order: dict[str, Any] = await driver.call(
        "POST", f"{NOMINATIONS}/{nomination_id}/ito", "sco", country
    )
    return order


async def orders(driver: Driver, nomination_id: str, country: str) -> list[dict[str, Any]]:
    found = await driver.call("GET", f"{NOMINATIONS}/{nomination_id}/ito", "sco", country)
    return list(found["items"])


async def wait_order(
    driver: Driver, nomination_id: str, country: str, status: str
) -> dict[str, Any]:
    """The latest version once it has `status` (recalls follow the event that caused them)."""

    async def probe() -> dict[str, Any] | None:
        found = await orders(driver, nomination_id, country)
        return found[-1] if found and found[-1]["status"] == status else None

    order: dict[str, Any] = await until(probe, what=f"order of {nomination_id} {status}")
    return order


async def audit(driver: Driver, entity_id: str, action: str) -> list[dict[str, Any]]:
    page = await driver.call(
        "GET",
        f"{NOMINATIONS}/audit",
        "auditor",
        params={"entity_id": entity_id, "action": action, "limit": 100},
    )
    return list(page["items"])


async def record(driver: Driver, nomination_id: str, country: str) -> Record:
    nomination = await driver.nomination(nomination_id, country)
    history = await driver.call("GET", f"{NOMINATIONS}/{nomination_id}/history", "sco", country)
    ledger = await driver.call(
        "GET",
        f"{FUNDING}/ledger",
        "funding_officer",
        params={"nomination_id": nomination_id, "limit": 200},
    )
    seats = await driver.call(
        "GET",
        f"{CATALOG}/classes/{nomination['class_id']}/seats",
        "catalog_manager",
        params={"limit": 200},
    )
    seat = next((s for s in seats["items"] if s["nomination_id"] == nomination_id), None)
    return Record(
        nomination=nomination,
        history=list(history["items"]),
        orders=await orders(driver, nomination_id, country),
        ledger=list(ledger["items"]),
        seat=seat,
    )


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


async def certify(driver: Driver, masl_id: str, certified_on: date | None) -> dict[str, Any]:
    """The catalog manager records (or corrects) the course's E-IMET certification date."""
    current = await driver.client.get(
        f"{CATALOG}/courses/{masl_id}", headers=driver.headers("catalog_manager")
    )
    course: dict[str, Any] = await driver.call(
        "PATCH", f"{CATALOG}/courses/{masl_id}", "catalog_manager",
        headers={"If-Match": current.headers["etag"]},
        json={"eimet_certified_on": certified_on.isoformat() if certified_on else None},
    )  # fmt: skip
    return course


async def once_accepted(driver: Driver, path: str, country: str) -> dict[str, Any]:
    """POST as the SCO until the nomination service has heard the news that allows it (a
    catalog or vetting event is asynchronous); the accepted answer."""

    async def attempt() -> dict[str, Any] | None:
        response = await driver.client.post(path, headers=driver.headers("sco", country))
        if response.status_code in (200, 201):
            return dict(response.json())
        if response.status_code != 409:
            raise AssertionError(f"POST {path} -> {response.status_code}: {response.text[:400]}")
        return None

    accepted: dict[str, Any] = await until(attempt, what=f"POST {path} accepted")
    return accepted


async def ready_until(
    driver: Driver, country: str, klass: dict[str, Any], status: str, **nominate: Any
) -> dict[str, Any]:
    """Nominated, vetted and approved; the nomination once it reached `status`."""
    nomination = await driver.nominate(country, klass, **nominate)
    await driver.wait_status(nomination["id"], country, "vetting")
    await driver.decide(nomination["id"], "approved")
    return await driver.wait_status(nomination["id"], country, status)
