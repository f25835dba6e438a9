"""Issue 11 row 6 through the gateway: the travel order carries the living-allowance line that
funding obligated (lodging, meals, $11/day incidentals, days) and, when it applied, the ECL
exemption ("tested on arrival")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.e2e import screening
from tests.e2e.driver import FUNDING, NOMINATIONS, Driver
from tests.helpers.pdf import pdf_text


async def test_the_order_prints_the_obligated_living_allowance_and_the_ecl_exemption(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    klass = await driver.course_with_class(capacity=2, weeks=6)
    country = await driver.country()
    exempt = await gateway.put(
        f"{NOMINATIONS}/countries/{country}",
        headers={
            **driver.headers("admin"),
            "If-Match": (
                await gateway.get(
                    f"{NOMINATIONS}/countries/{country}", headers=driver.headers("admin")
                )
            ).headers["etag"],
        },
        json={
            "name": f"Testland {country}",
            "sanctioned": False,
            "ecl_exempt_fiscal_years": [klass["fiscal_year"]],
        },
    )
    await driver.appropriation(klass["fiscal_year"])
    await driver.allocation(country, klass["fiscal_year"], "400000.00")
    # No English test at all: the country is exempt for the fiscal year (tested on arrival).
    nomination = await screening.ready(driver, country, klass, person={"english_tests": []})

    order = await screening.issue(driver, nomination["id"], country)
    pdf = await gateway.get(
        f"{NOMINATIONS}/{nomination['id']}/ito/1.pdf", headers=driver.headers("sco", country)
    )
    obligations = await driver.call(
        "GET", f"{FUNDING}/obligations", "funding_officer",
        params={"nomination_id": nomination["id"]},
    )  # fmt: skip
    end = await screening.record(driver, nomination["id"], country)

    living = order["content"]["funding"]["living_allowance"]
    line = obligations["items"][0]
    assert exempt.status_code == 200
    assert order["content"]["english"]["tested_on_arrival"] is True
    assert living["incidentals_per_day"] == "11.00"
    assert living["days"] == 42
    assert Decimal(living["total"]) == Decimal(line["living_allowance"])
    per_day = sum(
        Decimal(living[k]) for k in ("lodging_per_day", "meals_per_day", "incidentals_per_day")
    )
    assert per_day * living["days"] == Decimal(living["total"])
    text = pdf_text(pdf.content)
    assert "tested on arrival" in text
    assert "incidentals 11.00" in text
    assert f"{living['days']} days" in text
    assert end.order_status == [(1, "current")]
    assert end.nomination["status"] == "ready_for_travel"
    assert "ito_issued" in end.reasons("document")
    assert end.ledger_kinds == ["obligation"]
    assert end.ledger_total("obligation") == Decimal(line["amount"])
    assert end.seat is not None
    assert end.seat["status"] == "confirmed"
