"""Issue 11 row 4 through the gateway: one gate at every step that spends or commits, and one
definition of "E-IMET certification lapsed" (the catalog's published last day), boundary days
included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.e2e import screening
from tests.e2e.driver import CATALOG, NOMINATIONS, Driver


async def test_the_eimet_certification_is_checked_at_obligation_issue_and_start_of_training(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await screening.world(driver, capacity=3, start_in_days=90)
    masl, today = klass["masl_id"], driver.today
    last_day = await screening.certify(
        driver, masl, screening.years_before(today, 5) + timedelta(days=1)
    )
    sco = driver.headers("sco", country)
    # On the certification's last day everything passes: obligation, issue.
    first = await screening.ready(driver, country, klass, funding_source="eimet")
    issued = await screening.issue(driver, first["id"], country)
    second = await driver.nominate(country, klass, funding_source="eimet")
    await driver.wait_status(second["id"], country, "vetting")

    # The next day (the date moved one day back): lapsed for the catalog and the pipeline alike.
    lapsed = await screening.certify(driver, masl, screening.years_before(today, 5))
    recalled = await screening.wait_order(driver, first["id"], country, "recalled")
    start = await gateway.post(f"{NOMINATIONS}/{first['id']}/start-training", headers=sco)
    reissue = await gateway.post(f"{NOMINATIONS}/{first['id']}/ito", headers=sco)
    await driver.decide(second["id"], "approved")
    refused = await driver.wait_status(second["id"], country, "funding_rejected")
    retry = await gateway.post(f"{NOMINATIONS}/{second['id']}/retry-funding", headers=sco)
    refused_end = await screening.record(driver, second["id"], country)

    # Recertified today: funding may be asked again, and a new version of the order issued.
    await screening.certify(driver, masl, today)
    await screening.once_accepted(driver, f"{NOMINATIONS}/{second['id']}/retry-funding", country)
    await driver.wait_status(second["id"], country, "ready_for_travel")
    again = await screening.once_accepted(driver, f"{NOMINATIONS}/{first['id']}/ito", country)
    started = await driver.call(
        "POST", f"{NOMINATIONS}/{first['id']}/start-training", "sco", country
    )
    course = await driver.call("GET", f"{CATALOG}/courses/{masl}", "catalog_manager")
    end = await screening.record(driver, first["id"], country)

    assert last_day["eimet_certification_lapsed"] is False
    assert issued["status"] == "current"
    assert lapsed["eimet_certification_lapsed"] is True
    assert recalled["recall_reason"] == "eimet_certification_lapsed"
    assert start.status_code == 409
    assert reissue.status_code == 409
    assert "eimet-certification-lapsed" in reissue.text
    assert refused["status_reason"] == "eimet_certification_lapsed"
    assert retry.status_code == 409
    assert "eimet-certification-lapsed" in retry.text
    assert refused_end.ledger == []
    assert refused_end.seat is not None
    assert refused_end.seat["status"] == "held"
    assert "funding_requested" not in refused_end.reasons("decision")
    assert course["eimet_certification_lapsed"] is False
    assert (again["number"], again["version"]) == (issued["number"], 2)
    assert started["status"] == "in_training"
    assert end.order_status == [(1, "recalled"), (2, "current")]
    assert end.nomination["status"] == "in_training"
    assert end.transitions[-2:] == ["ready_for_travel", "in_training"]
    assert end.ledger_kinds == ["obligation"]
    assert end.seat is not None
    assert end.seat["status"] == "confirmed"
