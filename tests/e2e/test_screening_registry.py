"""Issue 11 row 2 through the gateway: registry look-back by unit identity.

Listing a unit suspends every still-valid approval of its members (reason `unit_listed`): the
nominations leave ready_for_travel, their travel orders are recalled, vetters find them in a
queue; seat and funds stay. Nobody can approve them until remediation; then a vetter does.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e import screening
from tests.e2e.driver import NOMINATIONS, VETTING, Driver, until


async def _unit(driver: Driver, country: str, name: str) -> dict[str, Any]:
    unit: dict[str, Any] = await driver.call(
        "POST", f"{VETTING}/units", "sco", country, json={"country": country, "name": name}
    )
    return unit


async def _candidate_with_unit(
    driver: Driver, country: str, klass: dict[str, Any], unit_id: str
) -> dict[str, Any]:
    """Nominate with the unit's identity, once the nomination service has heard of the unit."""

    async def attempt() -> dict[str, Any] | None:
        try:
            return await driver.nominate(
                country, klass, person={"unit_id": unit_id, "unit_name": None}, submit=False
            )
        except AssertionError as refused:
            if "unit-unknown" in str(refused):
                return None
            raise

    draft: dict[str, Any] = await until(attempt, what=f"unit {unit_id} known to nominations")
    await driver.submit(draft["id"], country)
    await driver.wait_status(draft["id"], country, "vetting")
    await driver.decide(draft["id"], "approved")
    return await driver.wait_status(draft["id"], country, "ready_for_travel")


async def test_listing_a_unit_suspends_its_members_and_recalls_their_orders(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await screening.world(driver, capacity=3, start_in_days=90)
    unit = await _unit(driver, country, "3rd Military Police Battalion")
    member = await _candidate_with_unit(driver, country, klass, unit["unit_id"])
    typed = await screening.ready(driver, country, klass, unit="3RD military police  battalion")
    outsider = await screening.ready(driver, country, klass, unit="9th Engineer Company")
    orders = {n["id"]: await screening.issue(driver, n["id"], country) for n in (member, typed)}

    both = await gateway.post(
        f"{VETTING}/registry",
        headers=driver.headers("vetter"),
        json={"country": country, "unit_id": unit["unit_id"], "unit_name": "x",
              "source_reference": "INVEST-1"},
    )  # fmt: skip
    listed = await driver.call(
        "POST", f"{VETTING}/registry", "vetter",
        json={"country": country, "unit_id": unit["unit_id"], "source_reference": "INVEST-2026-9",
              "summary": "Credible reports of enforced disappearances."},
    )  # fmt: skip
    suspended = [
        await driver.wait_status(n["id"], country, "vetting_suspended") for n in (member, typed)
    ]
    recalled = [
        await screening.wait_order(driver, n["id"], country, "recalled") for n in (member, typed)
    ]
    queue = await driver.call(
        "GET", f"{VETTING}/cases", "vetter",
        params={"reason_code": "unit_listed", "country": country},
    )  # fmt: skip
    blocked = await gateway.post(
        f"{VETTING}/cases/{(await driver.case_of(member['id']))['case_id']}/decisions",
        headers=driver.headers("vetter"),
        json={"result": "approved", "reason_code": "cleared", "rationale": "looks fine"},
    )
    gate = await gateway.post(
        f"{NOMINATIONS}/{member['id']}/ito", headers=driver.headers("sco", country)
    )

    await driver.call(
        "POST", f"{VETTING}/registry/{listed['entry_id']}/remediation", "vetter",
        json={"remediation_notes": "Commander relieved; unit retrained.",
              "remediation_reference": "REM-2027-1"},
    )  # fmt: skip
    await driver.decide(member["id"], "approved")
    await driver.wait_status(member["id"], country, "ready_for_travel")
    reissued = await screening.issue(driver, member["id"], country)
    end = await screening.record(driver, member["id"], country)
    still = await driver.nomination(outsider["id"], country)

    assert both.status_code == 422
    assert both.headers["content-type"] == "application/problem+json"
    assert [s["status_reason"] for s in suspended] == ["unit_listed", "unit_listed"]
    assert all(s["seat"]["status"] == "confirmed" for s in suspended)
    assert all(s["funding"]["status"] == "obligated" for s in suspended)
    assert [r["recall_reason"] for r in recalled] == ["unit_listed", "unit_listed"]
    assert {c["nomination_id"] for c in queue["items"]} == {member["id"], typed["id"]}
    assert {c["unit_match"] for c in queue["items"]} == {"registered", "by_name"}
    assert blocked.status_code == 409
    assert "unit-blocked" in blocked.text
    assert gate.status_code == 409
    assert (reissued["number"], reissued["version"]) == (orders[member["id"]]["number"], 2)
    assert still["status"] == "ready_for_travel"
    assert end.order_status == [(1, "recalled"), (2, "current")]
    assert end.nomination["status"] == "ready_for_travel"
    assert end.transitions[-2:] == ["vetting_suspended", "ready_for_travel"]
    assert "unit_listed" in end.reasons("transition")
    assert end.ledger_kinds == ["obligation"]
    assert end.seat is not None
    assert end.seat["status"] == "confirmed"
