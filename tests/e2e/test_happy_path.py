"""The happy path through the gateway: funded, nominated, vetted, obligated, seated, ITO issued."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, Driver
from tests.helpers.waiting import eventually


async def test_a_nomination_goes_from_draft_to_travel_order(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country = await driver.country()
    klass = await driver.course_with_class(capacity=4, tuition="18500.00")
    await driver.appropriation(klass["fiscal_year"])
    await driver.allocation(country, klass["fiscal_year"], "750000.00")

    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")
    # "vetting" is entered on the case alone; the catalog's hold is a separate fact that may
    # arrive just after (seen with tracing on): wait for both, never assume their order.
    in_vetting = await eventually(
        lambda: driver.nomination(nomination["id"], country),
        lambda n: n["status"] == "vetting" and n["seat"]["status"] == "held",
        timeout=60,
        what="the nomination in vetting with its seat held",
    )
    gate_before = await gateway.post(
        f"{NOMINATIONS}/{nomination['id']}/ito", headers=driver.headers("sco", country)
    )
    await driver.decide(nomination["id"], "approved")
    ready = await driver.wait_status(nomination["id"], country, "ready_for_travel")
    ito = await driver.call("POST", f"{NOMINATIONS}/{nomination['id']}/ito", "sco", country)
    pdf = await gateway.get(
        f"{NOMINATIONS}/{nomination['id']}/ito/1.pdf", headers=driver.headers("sco", country)
    )
    history = await driver.call("GET", f"{NOMINATIONS}/{nomination['id']}/history", "sco", country)
    seats = await driver.call("GET", f"{CATALOG}/classes/{klass['id']}", "catalog_manager")
    obligations = await driver.call(
        "GET",
        f"{FUNDING}/obligations",
        "funding_officer",
        params={"nomination_id": nomination["id"]},
    )
    consistency = await driver.call(
        "GET",
        f"{FUNDING}/consistency",
        "funding_officer",
        params={"fiscal_year": klass["fiscal_year"]},
    )
    other_country = await gateway.get(
        f"{NOMINATIONS}/{nomination['id']}", headers=driver.headers("sco", "ZZZ")
    )

    assert in_vetting["seat"]["status"] == "held"
    assert gate_before.status_code == 409
    assert gate_before.headers["content-type"] == "application/problem+json"
    assert "vetting" in gate_before.text
    assert "funds" in gate_before.text
    assert ready["seat"]["status"] == "confirmed"
    assert ready["vetting"]["status"] == "approved"
    assert ready["funding"]["status"] == "obligated"
    assert ito["number"].startswith(f"{country}-D-")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    states = [h["to_state"] for h in history["items"] if h["kind"] == "transition"]
    assert states == ["draft", "submitted", "vetting", "funding", "ready_for_travel"]
    assert seats["seats_confirmed"] == 1
    assert len(obligations["items"]) == 1
    assert Decimal(obligations["items"][0]["amount"]) > Decimal(
        "18500.00"
    )  # tuition + travel + TLA
    assert consistency["ok"] is True
    assert other_country.status_code == 404
