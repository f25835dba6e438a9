"""Opening a case under the configurable policies (unit block review, two-person rule)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from tests.helpers.fixtures import auth
from vetting.domain.decision import DecisionPolicy
from vetting.service_layer.cases import open_case

from .support import SYSTEM, office_now, open_command, person_token, staged_events, submitted


async def _block_and_open(runtime: Any, client: httpx.AsyncClient, policy: DecisionPolicy) -> Any:
    event = submitted()
    await client.post(
        "/api/v1/vetting/registry",
        json={
            "country": event.country,
            "unit_name": event.unit_name,
            "source_reference": "INVEST-3",
        },
        headers=auth(person_token("vetter-ana", "vetter")),
    )
    async with runtime.uow(SYSTEM) as uow:
        case = await open_case(uow, open_command(event), policy, office_now(runtime))
    return case


async def test_the_review_policy_holds_a_blocked_unit_case_as_suspended(
    runtime: Any, client: httpx.AsyncClient
) -> None:
    policy = replace(runtime.settings.policy(), unit_block_policy="review")

    case = await _block_and_open(runtime, client, policy)

    assert case.status.value == "suspended"
    events = await staged_events(runtime, case.id)
    assert [t for t, _ in events] == ["imet.vetting.case_opened.v1", "imet.vetting.suspended.v1"]
    assert events[1][1]["reason_code"] == "unit_blocked"


async def test_under_the_two_person_rule_an_automatic_denial_waits_for_a_vetter(
    service_client: Any, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETTING_TWO_PERSON_RULE", "true")
    client = await service_client("vetting")
    case = await _block_and_open(
        runtime, client, replace(runtime.settings.policy(), two_person_rule=True)
    )
    pending = case.history[-1]

    before = [t for t, _ in await staged_events(runtime, case.id)]
    confirmed = await client.post(
        f"/api/v1/vetting/cases/{case.id}/decisions/{pending.id}/confirmation",
        json={"outcome": "confirmed", "rationale": "Registry entry verified."},
        headers=auth(person_token("vetter-ben", "vetter")),
    )

    assert case.status.value == "pending_confirmation"
    assert before == ["imet.vetting.case_opened.v1"]
    assert confirmed.status_code == 200
    denied = (await staged_events(runtime, case.id))[-1]
    assert (denied[0], denied[1]["registry_entry_id"]) == (
        "imet.vetting.denied.v1",
        str(pending.registry_entry_id),
    )


async def test_an_unusually_long_unit_name_from_the_event_is_stored_as_is(runtime: Any) -> None:
    event = submitted(unit_name="Brigada " + "muy larga " * 120)

    async with runtime.uow(SYSTEM) as uow:
        case = await open_case(
            uow,
            open_command(event),
            runtime.settings.policy(),
            office_now(runtime),
        )

    assert case is not None
    assert case.unit_name == event.unit_name
