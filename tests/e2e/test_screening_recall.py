"""Issue 11 row 3 through the gateway: an issued travel order is recalled when a fact behind it
stops being true, can never start training, prints stamped, and the SCO sees why."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.e2e import screening
from tests.e2e.driver import CATALOG, NOMINATIONS, Driver


async def test_a_withdrawal_recalls_the_travel_order_and_training_cannot_start_on_it(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await screening.world(driver, capacity=3, start_in_days=90)
    nomination = await screening.ready(driver, country, klass)
    issued = await screening.issue(driver, nomination["id"], country)
    sco = driver.headers("sco", country)

    await driver.call(
        "POST", f"{NOMINATIONS}/{nomination['id']}/withdraw", "sco", country,
        json={"reason": "family emergency"},
    )  # fmt: skip
    recalled = await screening.wait_order(driver, nomination["id"], country, "recalled")
    start = await gateway.post(f"{NOMINATIONS}/{nomination['id']}/start-training", headers=sco)
    pdf = await gateway.get(f"{NOMINATIONS}/{nomination['id']}/ito/1.pdf", headers=sco)
    listed = await driver.call(
        "GET", f"{NOMINATIONS}/travel-orders", "sco", country, params={"status": "recalled"}
    )
    other = await driver.call(
        "GET", f"{NOMINATIONS}/travel-orders", "sco", "ZZZ", params={"status": "recalled"}
    )
    await driver.wait_compensated(nomination["id"], country, "seat_release", "deobligation")
    audited = await screening.audit(driver, nomination["id"], "travel_order.recalled")
    end = await screening.record(driver, nomination["id"], country)

    assert (recalled["number"], recalled["version"]) == (issued["number"], 1)
    assert recalled["recall_reason"] == "withdrawn"
    assert recalled["current"] is False
    assert start.status_code == 409
    assert start.headers["content-type"] == "application/problem+json"
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert [o["nomination_id"] for o in listed["items"]] == [nomination["id"]]
    assert listed["items"][0]["recall_reason"] == "withdrawn"
    assert other["items"] == []
    assert len(audited) == 1
    assert audited[0]["after"]["recall_reason"] == "withdrawn"
    assert end.order_status == [(1, "recalled")]
    assert end.nomination["status"] == "withdrawn"
    assert end.nomination["current_ito"] is None
    assert "ito_recalled" in end.reasons("document")
    assert end.transitions[-1] == "withdrawn"
    assert end.ledger_kinds[0] == "obligation"
    assert "deobligation" in end.ledger_kinds
    assert end.seat is not None
    assert end.seat["status"] == "released"


async def test_a_cancelled_class_recalls_the_order_of_every_student_without_penalty(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await screening.world(driver, capacity=2, start_in_days=90)
    nomination = await screening.ready(driver, country, klass)
    await screening.issue(driver, nomination["id"], country)
    current = await gateway.get(
        f"{CATALOG}/classes/{klass['id']}", headers=driver.headers("catalog_manager")
    )

    await driver.call(
        "POST", f"{CATALOG}/classes/{klass['id']}/cancel", "catalog_manager",
        headers={"If-Match": current.headers["etag"]}, json={"reason": "range closed"},
    )  # fmt: skip
    recalled = await screening.wait_order(driver, nomination["id"], country, "recalled")
    reissue = await gateway.post(
        f"{NOMINATIONS}/{nomination['id']}/ito", headers=driver.headers("sco", country)
    )
    await driver.wait_compensated(nomination["id"], country, "deobligation")
    end = await screening.record(driver, nomination["id"], country)

    # The catalog releases the class's seats before it announces the cancellation (one
    # partition, in order): the first fact that broke the order is the released seat.
    assert recalled["recall_reason"] == "seat_released"
    assert reissue.status_code == 409
    assert "not-ready-for-travel" in reissue.text
    assert end.order_status == [(1, "recalled")]
    assert end.nomination["status"] == "cancelled"
    assert end.nomination["status_reason"] == "class_cancelled"
    assert end.ledger_total("penalty") == Decimal("0")
    assert end.ledger_total("deobligation") == end.ledger_total("obligation")
    assert end.seat is not None
    assert end.seat["status"] == "released"


async def test_the_asyncapi_document_lists_the_continuous_screening_events(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    document = (await gateway.get("/asyncapi.json")).json()

    messages = set(document["components"]["messages"])
    names = {m.get("name") for m in document["components"]["messages"].values()} | messages
    for event in (
        "imet.nomination.ito_recalled.v1",
        "imet.nomination.candidate_changed.v1",
        "imet.vetting.case_reopened.v1",
        "imet.vetting.approval_suspended.v1",
        "imet.vetting.unit_registered.v1",
    ):
        assert any(event in str(n) for n in names), event
    schemas = document["components"]["schemas"]
    assert "eimet_certified_through" in str(schemas["imet.catalog.course_changed.v1"])
    assert "available_from" in str(schemas["imet.funding.appropriation_set.v1"])
