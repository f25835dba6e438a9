"""A change of a candidate's vetted facts re-opens vetting; other fields change freely.

The nomination goes back to vetting in the transaction of the change (seat and funds stay), the
travel order is recalled, vetting is asked to re-open the case (one event per active nomination,
field names only), and an approval about the older facts no longer counts.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.nomination.tests.integration.support import (
    BASE,
    Bus,
    Until,
    World,
    passport,
)
from services.nomination.tests.integration.their import Their, to_ready
from shared.auth.principal import system_actor
from shared.contracts.vetting.v1 import CaseReopenedV1


async def _candidate(world: World, nomination: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    url = f"{BASE}/candidates/{nomination['candidate_id']}"
    response = await world.client.get(url, headers=world.as_("sco", nomination["country"]))
    return url, {**world.as_("sco", nomination["country"]), "If-Match": response.headers["etag"]}


async def _issued(world: World, bus: Bus, until: Until) -> tuple[dict[str, Any], Their]:
    nomination, their = await to_ready(world, bus, until)
    issued = await world.client.post(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", "GTM")
    )
    assert issued.status_code == 201
    return nomination, their


async def test_new_names_without_a_new_passport_are_refused_and_change_nothing(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await _issued(world, bus, until)
    url, headers = await _candidate(world, nomination)
    before = (await world.client.get(url, headers=world.as_("sco", "GTM"))).json()

    refused = await world.client.patch(url, json={"family_names": "RAMÍREZ"}, headers=headers)

    after = (await world.client.get(url, headers=world.as_("sco", "GTM"))).json()
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("name-change-needs-new-passport")
    assert after == before
    assert (await world.get(nomination["id"]))["status"] == "ready_for_travel"
    assert "candidate_changed" not in await world.published_types(nomination["id"])


async def test_a_name_change_with_its_passport_sends_the_nomination_back_to_vetting(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await _issued(world, bus, until)
    url, headers = await _candidate(world, nomination)

    changed = await world.client.patch(
        url, json={"family_names": "RAMÍREZ", "passport_number": passport()}, headers=headers
    )

    row = await world.get(nomination["id"])
    history = await world.history(nomination["id"])
    events = [e for e in await world.outbox(nomination["id"]) if "candidate_changed" in e.type]
    orders = await world.client.get(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", "GTM")
    )
    assert changed.status_code == 200
    assert (row["status"], row["status_reason"]) == ("vetting", "candidate_changed")
    assert (row["seat"]["status"], row["funding"]["status"]) == ("confirmed", "obligated")
    facts = [h for h in history if (h["kind"], h["reason"]) == ("fact", "candidate_changed")]
    moves = [h for h in history if h["kind"] == "transition"]
    assert [f["detail"]["fields"] for f in facts] == [["family_names"]]
    assert (moves[-1]["to_state"], moves[-1]["reason"]) == ("vetting", "candidate_changed")
    assert [e.payload["changed_fields"] for e in events] == [["family_names"]]
    assert events[0].payload["vetted_revision"] == 1
    assert "RAMÍREZ" not in str(events[0].payload)
    assert orders.json()["items"][-1]["recall_reason"] == "candidate_changed"


async def test_an_approval_of_the_older_facts_no_longer_counts_and_a_new_one_does(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await _issued(world, bus, until)
    url, headers = await _candidate(world, nomination)
    await world.client.patch(url, json={"unit_name": "Batallón 7"}, headers=headers)
    stale = their.approved().model_copy(update={"vetted_revision": 0})
    fresh = their.approved().model_copy(update={"vetted_revision": 1})

    await bus.send(stale)
    ignored = await until(nomination["id"], lambda row: row.vetting_status == "pending", timeout=15)
    await _eventually_history(world, nomination["id"], "stale_approval_ignored")
    await bus.send(fresh)
    ready = await until(nomination["id"], lambda row: row.status == "ready_for_travel")
    reissued = await world.client.post(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", "GTM")
    )

    assert ignored.status == "vetting"
    assert ready.vetting_status == "approved"
    assert reissued.status_code == 201
    assert reissued.json()["version"] == 2
    assert reissued.json()["content"]["student"]["unit_name"] == "Batallón 7"


async def test_a_change_of_a_field_vetting_does_not_decide_on_leaves_vetting_alone(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await _issued(world, bus, until)
    url, headers = await _candidate(world, nomination)

    changed = await world.client.patch(url, json={"position": "Battalion S3"}, headers=headers)

    row = await world.get(nomination["id"])
    assert changed.status_code == 200
    assert row["status"] == "ready_for_travel"
    assert row["current_ito"] is not None
    assert "candidate_changed" not in await world.published_types(nomination["id"])


async def test_english_results_that_no_longer_meet_the_minimum_recall_the_order(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, _ = await _issued(world, bus, until)
    url, headers = await _candidate(world, nomination)
    today = (await world.client.get(url, headers=world.as_("sco", "GTM"))).json()
    low = [{**today["english_tests"][0], "score": 40}]

    await world.client.patch(url, json={"english_tests": low}, headers=headers)

    orders = await world.client.get(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", "GTM")
    )
    assert orders.json()["items"][-1]["status"] == "recalled"
    assert orders.json()["items"][-1]["recall_reason"] == "screening_incomplete"
    assert "ecl-below-minimum" in orders.json()["items"][-1]["recall_missing"]


async def test_vettings_case_reopened_sends_an_approved_nomination_back_to_vetting(
    world: World, bus: Bus, until: Until
) -> None:
    nomination, their = await _issued(world, bus, until)
    reopened = CaseReopenedV1(
        case_id=their.case_id, nomination_id=uuid.UUID(nomination["id"]),
        country=nomination["country"], candidate_id=uuid.UUID(nomination["candidate_id"]),
        reason_code="candidate_changed", changed_fields=["unit_name"],
        reopened_on=their.case_opened().opened_on, due_on=their.case_opened().due_on,
        vetted_revision=1,
    )  # fmt: skip

    await bus.send(reopened)
    row = await until(nomination["id"], lambda row: row.status == "vetting")

    assert (row.seat_status, row.funding_status) == ("confirmed", "obligated")


async def _eventually_history(world: World, nomination_id: str, reason: str) -> None:
    from tests.helpers.waiting import eventually

    await eventually(
        lambda: world.history(nomination_id), lambda h: any(e["reason"] == reason for e in h)
    )


async def test_a_candidate_references_a_registered_unit_and_takes_its_name(
    world: World, bus: Bus, until: Until
) -> None:
    from datetime import UTC, datetime

    from shared.contracts.vetting.v1 import UnitRegisteredV1

    unit = UnitRegisteredV1(
        unit_id=uuid.uuid4(), country="GTM", unit_name="Batallón de Policía Militar 3",
        registered_at=datetime.now(UTC),
    )  # fmt: skip
    unknown = await world.client.post(
        f"{BASE}/candidates",
        json=world.candidate_body(unit_id=str(uunit := uuid.uuid4()), unit_name=None),
        headers=world.as_("sco", "GTM"),
    )
    await bus.send(unit)
    await _eventually_unit(world, unit.unit_id)
    known = await world.client.post(
        f"{BASE}/candidates",
        json=world.candidate_body(unit_id=str(unit.unit_id), unit_name=None),
        headers=world.as_("sco", "GTM"),
    )
    mismatch = await world.client.post(
        f"{BASE}/candidates",
        json=world.candidate_body(unit_id=str(unit.unit_id), unit_name="Another unit"),
        headers=world.as_("sco", "GTM"),
    )

    assert unknown.status_code == 422
    assert unknown.json()["type"].endswith("unit-unknown")
    assert str(uunit) in unknown.text
    assert known.status_code == 201
    assert (known.json()["unit_id"], known.json()["unit_name"]) == (
        str(unit.unit_id), "Batallón de Policía Militar 3"
    )  # fmt: skip
    assert mismatch.status_code == 422


async def test_a_registry_suspension_recalls_the_order_as_unit_listed(
    world: World, bus: Bus, until: Until
) -> None:
    from datetime import UTC, datetime

    from shared.contracts.vetting.v1 import ApprovalSuspendedV1

    nomination, their = await _issued(world, bus, until)
    suspended = ApprovalSuspendedV1(
        case_id=their.case_id, nomination_id=uuid.UUID(nomination["id"]), country="GTM",
        decided_at=datetime.now(UTC), reason_code="unit_listed", registry_entry_id=uuid.uuid4(),
    )  # fmt: skip

    await bus.send(suspended)
    row = await until(nomination["id"], lambda row: row.status == "vetting_suspended")
    orders = await world.client.get(
        f"{BASE}/{nomination['id']}/ito", headers=world.as_("sco", "GTM")
    )

    assert row.status_reason == "unit_listed"
    assert (row.seat_status, row.funding_status) == ("confirmed", "obligated")
    assert orders.json()["items"][-1]["recall_reason"] == "unit_listed"


async def _eventually_unit(world: World, unit_id: uuid.UUID) -> None:
    from tests.helpers.waiting import eventually

    async def known() -> bool:
        async with world.runtime.uow(system_actor("test")) as uow:
            return await uow.reference.unit(unit_id) is not None

    await eventually(known, bool)
