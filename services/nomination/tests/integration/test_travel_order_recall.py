"""An issued travel order stays current only while every fact behind it holds.

Each fact that breaks the gate recalls the order in the same transaction: status, reason and
time on the order, `nomination.ito_recalled`, a history entry, an audit row. A recalled order
never starts training, prints stamped, and the next version (once the gate holds) keeps the
number.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from services.nomination.tests.integration.support import (
    BASE,
    TODAY,
    Bus,
    Until,
    World,
)
from services.nomination.tests.integration.their import Their, to_ready
from shared.contracts.catalog.v1 import CourseChangedV1
from tests.helpers.pdf import pdf_text
from tests.helpers.waiting import eventually


async def _issued(world: World, bus: Bus, until: Until, **changes: Any) -> tuple[dict, Their]:
    nomination, their = await to_ready(world, bus, until, **changes)
    country = nomination["country"]
    response = await world.client.post(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", country)
    )
    assert response.status_code == 201, response.text
    return nomination, their


async def _orders(world: World, nomination: dict[str, Any]) -> list[dict[str, Any]]:
    response = await world.client.get(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", nomination["country"])
    )
    return list(response.json()["items"])


async def _recalled(world: World, until: Until, nomination: dict[str, Any]) -> dict[str, Any]:
    orders = await eventually(
        lambda: _orders(world, nomination), lambda items: items[-1]["status"] == "recalled"
    )
    return orders[-1]


async def _audit(world: World, nomination_id: str, action: str) -> list[Any]:
    audit = world.runtime.definition.tables.audit_log
    async with world.runtime.sessions() as session:
        rows = await session.execute(
            select(audit).where(audit.c.entity_id == nomination_id, audit.c.action == action)
        )
        return list(rows)


async def test_a_withdrawal_recalls_the_order_with_event_history_and_audit(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await _issued(world, bus, until)
    sco = world.as_("sco", "GTM")

    await world.client.post(f"{BASE}/{nomination['id']}/withdraw", headers=sco)

    order = (await _orders(world, nomination))[-1]
    history = await world.history(nomination["id"])
    recalls = [h for h in history if h["reason"] == "ito_recalled"]
    outbox = [e for e in await world.outbox(nomination["id"]) if "ito_recalled" in e.type]
    assert (order["status"], order["current"], order["recall_reason"]) == (
        "recalled", False, "withdrawn"
    )  # fmt: skip
    assert "not-ready-for-travel" in order["recall_missing"]
    assert order["recalled_at"] is not None
    assert recalls[0]["detail"]["number"] == order["number"]
    assert [e.payload["reason"] for e in outbox] == ["withdrawn"]
    assert outbox[0].payload["ito_number"] == order["number"]
    assert len(await _audit(world, nomination["id"], "travel_order.recalled")) == 1
    assert (await world.get(nomination["id"]))["current_ito"] is None


async def test_a_suspension_recalls_and_a_later_approval_lets_the_same_number_be_reissued(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await _issued(world, bus, until)
    url, sco = f"{BASE}/{nomination['id']}/ito", world.as_("sco", "GTM")
    first = (await _orders(world, nomination))[0]

    await bus.send(their.suspended())
    recalled = await _recalled(world, until, nomination)
    refused = await world.client.post(url, headers=sco)
    await bus.send(their.approved())
    await until(nomination["id"], lambda row: row.status == "ready_for_travel")
    again = await world.client.post(url, headers=sco)

    assert recalled["recall_reason"] == "vetting_suspended"
    assert refused.status_code == 409
    assert again.status_code == 201
    assert (again.json()["number"], again.json()["version"]) == (first["number"], 2)
    assert [(o["version"], o["status"]) for o in await _orders(world, nomination)] == [
        (1, "recalled"),
        (2, "current"),
    ]


async def test_a_lapsing_approval_recalls_the_order(world: World, bus: Bus, until: Until) -> None:
    nomination, their = await _issued(world, bus, until)

    await bus.send(their.expired())
    recalled = await _recalled(world, until, nomination)

    assert recalled["recall_reason"] == "approval_lapsed"
    row = await until(nomination["id"], lambda row: row.status == "vetting")
    assert (row.seat_status, row.funding_status) == ("confirmed", "obligated")


async def test_a_denial_recalls_the_order(world: World, bus: Bus, until: Until) -> None:
    nomination, their = await _issued(world, bus, until)

    await bus.send(their.denied())
    recalled = await _recalled(world, until, nomination)

    assert recalled["recall_reason"] == "vetting_denied"


async def test_a_seat_released_by_the_catalog_recalls_the_order(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await _issued(world, bus, until)

    await bus.send(their.seat_released("released_by_manager", was="confirmed"))
    recalled = await _recalled(world, until, nomination)

    assert recalled["recall_reason"] == "seat_released"
    await until(nomination["id"], lambda row: row.status == "cancelled")


async def test_released_funds_recall_the_order(world: World, bus: Bus, until: Until) -> None:
    nomination, their = await _issued(world, bus, until)

    await bus.send(their.deobligated("23456.78", "0.00"))
    recalled = await _recalled(world, until, nomination)

    assert recalled["recall_reason"] == "deobligated"
    await until(nomination["id"], lambda row: row.status == "funding_rejected")


async def test_a_recalled_order_never_starts_training_and_prints_stamped(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await _issued(world, bus, until)
    base, sco = f"{BASE}/{nomination['id']}", world.as_("sco", "GTM")
    await bus.send(their.suspended())
    await _recalled(world, until, nomination)

    start = await world.client.post(f"{base}/start-training", headers=sco)
    pdf = await world.client.get(f"{base}/ito/1.pdf", headers=sco)

    assert start.status_code == 409
    assert start.headers["content-type"] == "application/problem+json"
    assert start.json()["failed"] == ["state"]
    assert (await world.get(nomination["id"]))["status"] == "vetting_suspended"
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "RECALLED" in text
    assert "vetting_suspended" in text
    assert "NOT VALID FOR TRAVEL OR TRAINING" in text


async def test_start_training_rechecks_the_whole_gate_not_only_that_an_order_exists(
    world: World, bus: Bus, until: Until
) -> None:
    course = world.course_event(eimet_certified_on=TODAY - timedelta(days=400))
    klass = await world.catalog(course)
    nomination, _ = await _issued(world, bus, until, klass=klass, funding_source="eimet")
    lapsed = CourseChangedV1(
        **{**course.model_dump(), "eimet_certified_through": TODAY - timedelta(days=1),
           "version": 2}
    )  # fmt: skip

    await bus.send(lapsed)
    recalled = await _recalled(world, until, nomination)
    start = await world.client.post(
        f"{BASE}/{nomination['id']}/start-training", headers=world.as_("sco", "GTM")
    )

    assert recalled["recall_reason"] == "eimet_certification_lapsed"
    assert "eimet-certification-lapsed" in recalled["recall_missing"]
    assert (await world.get(nomination["id"]))["status"] == "ready_for_travel"
    assert start.status_code == 409
    assert start.json()["failed"] == ["ito_issued"]


async def test_an_eimet_line_whose_certification_lapsed_is_never_sent_for_funding(
    world: World, bus: Bus, until: Until
) -> None:
    course = world.course_event(
        eimet_certified_on=TODAY - timedelta(days=400),
        eimet_certified_through=TODAY + timedelta(days=3),
    )
    klass = await world.catalog(course)
    nomination = await world.submitted(klass, funding_source="eimet")
    their = Their(nomination)
    lapsed = CourseChangedV1(
        **{**course.model_dump(), "eimet_certified_through": TODAY - timedelta(days=1),
           "version": 2}
    )  # fmt: skip

    await bus.send(lapsed)
    await bus.send(their.case_opened(), their.approved(), their.seat_held())
    row = await until(nomination["id"], lambda row: row.status == "funding_rejected")
    retry = await world.client.post(
        f"{BASE}/{nomination['id']}/retry-funding", headers=world.as_("sco", "GTM")
    )

    assert row.status_reason == "eimet_certification_lapsed"
    assert "funding_requested" not in await world.published_types(nomination["id"])
    assert retry.status_code == 409
    assert retry.json()["failed"] == ["eimet-certification-lapsed"]


async def test_an_sco_lists_its_recalled_orders_and_never_another_countrys(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await _issued(world, bus, until)
    await world.client.post(f"{BASE}/{nomination['id']}/withdraw", headers=world.as_("sco", "GTM"))

    mine = await world.client.get(
        f"{BASE}/travel-orders", params={"status": "recalled"}, headers=world.as_("sco", "GTM")
    )
    theirs = await world.client.get(
        f"{BASE}/travel-orders",
        params={"status": "recalled", "country": "GTM"},
        headers=world.as_("sco", "COL"),
    )
    bad = await world.client.get(
        f"{BASE}/travel-orders", params={"status": "lost"}, headers=world.as_("sco", "GTM")
    )

    assert any(
        o["nomination_id"] == nomination["id"] and o["recall_reason"] == "withdrawn"
        for o in mine.json()["items"]
    )
    assert all(o["status"] == "recalled" for o in mine.json()["items"])
    assert theirs.json()["items"] == []
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


async def test_recalled_since_keeps_the_orders_recalled_from_that_time_on(
    world: World, bus: Bus, until: Until
) -> None:
    from datetime import datetime, timedelta

    nomination, _ = await _issued(world, bus, until)
    await world.client.post(f"{BASE}/{nomination['id']}/withdraw", headers=world.as_("sco", "GTM"))
    auditor = world.as_("auditor")
    [order] = [o for o in (await world.client.get(
        f"{BASE}/travel-orders", params={"status": "recalled", "limit": 100}, headers=auditor,
    )).json()["items"] if o["nomination_id"] == nomination["id"]]  # fmt: skip
    recalled_at = datetime.fromisoformat(order["recalled_at"])

    async def ids(since: datetime) -> list[str]:
        page = await world.client.get(f"{BASE}/travel-orders", headers=auditor, params={
            "status": "recalled", "recalled_since": since.isoformat(), "limit": 100})  # fmt: skip
        return [o["nomination_id"] for o in page.json()["items"]]

    before = await ids(recalled_at - timedelta(seconds=1))
    after = await ids(recalled_at + timedelta(seconds=1))
    naive = await world.client.get(f"{BASE}/travel-orders", headers=auditor,
                                   params={"recalled_since": "2026-12-01T00:00:00"})  # fmt: skip

    assert nomination["id"] in before
    assert nomination["id"] not in after
    assert naive.status_code == 422
    assert naive.headers["content-type"] == "application/problem+json"


async def test_the_database_refuses_to_change_a_recalled_order(
    world: World, bus: Bus, until: Until
) -> None:
    from sqlalchemy import update
    from sqlalchemy.exc import DBAPIError

    from nomination.adapters.tables import travel_order

    nomination, _ = await _issued(world, bus, until)
    await world.client.post(f"{BASE}/{nomination['id']}/withdraw", headers=world.as_("sco", "GTM"))

    async with world.runtime.sessions() as session:
        try:
            await session.execute(
                update(travel_order)
                .where(travel_order.c.nomination_id == nomination["id"])
                .values(recalled_at=None, recall_reason=None)
            )
            await session.commit()
            changed = True
        except DBAPIError:
            changed = False

    assert changed is False
    assert (await _orders(world, nomination))[-1]["status"] == "recalled"


async def test_start_training_refuses_a_current_order_whose_gate_no_longer_holds_today(
    world: World, bus: Bus, until: Until
) -> None:
    from sqlalchemy import update

    from nomination.adapters.tables import course

    klass = await world.catalog(world.course_event(eimet_certified_on=TODAY - timedelta(days=400)))
    nomination, _ = await _issued(world, bus, until, klass=klass, funding_source="eimet")
    async with world.runtime.sessions() as session:  # the days pass: no event announces it
        await session.execute(
            update(course)
            .where(course.c.masl_id == klass.masl_id)
            .values(eimet_certified_through=TODAY - timedelta(days=1))
        )
        await session.commit()

    start = await world.client.post(
        f"{BASE}/{nomination['id']}/start-training", headers=world.as_("sco", "GTM")
    )

    assert start.status_code == 409
    assert start.json()["type"].endswith("ito-gate-closed")
    assert [m["code"] for m in start.json()["missing"]] == ["eimet-certification-lapsed"]
    assert (await world.get(nomination["id"]))["status"] == "ready_for_travel"
