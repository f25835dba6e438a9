"""Issue 11 row 1 through the gateway: identity and unit are part of the vetted facts.

A change of a vetted field after vetting re-opens it for the nomination (seat and funds stay
held, the history says why, the travel order is recalled); new names need the new passport;
fields vetting does not decide on change without re-vetting.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.e2e import screening
from tests.e2e.driver import NOMINATIONS, VETTING, Driver, until


async def _patch(driver: Driver, candidate_id: str, country: str, body: dict[str, Any]) -> Any:
    url = f"{NOMINATIONS}/candidates/{candidate_id}"
    sco = driver.headers("sco", country)
    etag = (await driver.client.get(url, headers=sco)).headers["etag"]
    return await driver.client.patch(url, json=body, headers={**sco, "If-Match": etag})


async def _case_reopened(driver: Driver, nomination_id: str, cycle: int) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        case = await driver.case_of(nomination_id)
        detail = await driver.call("GET", f"{VETTING}/cases/{case['case_id']}", "vetter")
        reopened = [d for d in detail["decisions"] if d["reason_code"] == "candidate_changed"]
        return detail if len(reopened) >= cycle and detail["status"] == "open" else None

    found: dict[str, Any] = await until(probe, what=f"case of {nomination_id} re-opened")
    return found


async def test_a_change_of_vetted_facts_reopens_vetting_and_recalls_the_order(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    country, klass = await screening.world(driver, capacity=2, start_in_days=90)
    nomination = await screening.ready(driver, country, klass)
    candidate_id = nomination["candidate_id"]
    first = await screening.issue(driver, nomination["id"], country)

    unbacked = await _patch(driver, candidate_id, country, {"family_names": "NEWNAME"})
    still = await driver.nomination(nomination["id"], country)
    moved = await _patch(driver, candidate_id, country, {"unit_name": "2nd Mountain Battalion"})
    in_vetting = await driver.nomination(nomination["id"], country)
    recalled = await screening.wait_order(driver, nomination["id"], country, "recalled")
    case = await _case_reopened(driver, nomination["id"], 1)
    await driver.decide(nomination["id"], "approved")
    await driver.wait_status(nomination["id"], country, "ready_for_travel")
    second = await screening.once_accepted(driver, f"{NOMINATIONS}/{nomination['id']}/ito", country)
    promoted = await _patch(driver, candidate_id, country, {"position": "Battalion S3"})
    after_position = await driver.nomination(nomination["id"], country)
    renamed = await _patch(
        driver, candidate_id, country,
        {"family_names": "NEWNAME", "passport_number": "P" + uuid.uuid4().hex[:8].upper()},
    )  # fmt: skip
    await _case_reopened(driver, nomination["id"], 2)
    end = await screening.record(driver, nomination["id"], country)

    assert unbacked.status_code == 422
    assert unbacked.headers["content-type"] == "application/problem+json"
    assert "name-change-needs-new-passport" in unbacked.text
    assert (still["status"], still["current_ito"]) == ("ready_for_travel", first["number"])
    assert moved.status_code == 200
    assert (in_vetting["status"], in_vetting["status_reason"]) == ("vetting", "candidate_changed")
    assert in_vetting["seat"]["status"] == "confirmed"
    assert in_vetting["funding"]["status"] == "obligated"
    assert recalled["recall_reason"] == "candidate_changed"
    assert case["status"] == "open"
    assert (second["number"], second["version"]) == (first["number"], 2)
    assert second["content"]["student"]["unit_name"] == "2nd Mountain Battalion"
    assert promoted.status_code == 200
    assert after_position["status"] == "ready_for_travel"
    assert after_position["current_ito"] == first["number"]
    assert renamed.status_code == 200
    assert end.order_status == [(1, "recalled"), (2, "recalled")]
    assert [o["recall_reason"] for o in end.orders] == ["candidate_changed", "candidate_changed"]
    assert end.nomination["status"] == "vetting"
    changes = [h["detail"]["fields"] for h in end.history if h["reason"] == "candidate_changed"
               and h["kind"] == "fact"]  # fmt: skip
    assert changes == [["unit_name"], ["family_names"]]
    assert end.ledger_kinds == ["obligation"]
    assert end.seat is not None
    assert end.seat["status"] == "confirmed"
