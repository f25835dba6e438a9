"""The two-person rule over HTTP: a second vetter confirms or rejects; nothing leaks before."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .support import open_case_now, staged_events
from .test_decisions_http import DECIDE, DENY, vetter


async def test_under_the_two_person_rule_a_denial_is_published_only_once_confirmed(
    service_client: Any, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETTING_TWO_PERSON_RULE", "true")
    client = await service_client("vetting")
    case = await open_case_now(runtime)
    filed = (
        await client.post(DECIDE.format(case.id), json=DENY, headers=vetter("vetter-ana"))
    ).json()
    confirm = f"{DECIDE.format(case.id)}/{filed['decision_id']}/confirmation"
    concur = {"outcome": "confirmed", "rationale": "Reviewed the report; concur."}

    pending_events = [t for t, _ in await staged_events(runtime, case.id)]
    by_same = await client.post(confirm, json=concur, headers=vetter("vetter-ana"))
    by_second = await client.post(confirm, json=concur, headers=vetter("vetter-ben"))

    assert (filed["state"], filed["case_status"]) == (
        "pending_confirmation",
        "pending_confirmation",
    )
    assert pending_events == ["imet.vetting.case_opened.v1"]
    assert by_same.status_code == 403
    assert by_same.json()["type"].endswith("second-vetter-required")
    assert by_second.status_code == 200
    assert (by_second.json()["state"], by_second.json()["case_status"]) == ("effective", "denied")
    assert [t for t, _ in await staged_events(runtime, case.id)][-1] == "imet.vetting.denied.v1"


async def test_a_rejected_confirmation_returns_the_case_and_publishes_nothing(
    service_client: Any, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETTING_TWO_PERSON_RULE", "true")
    client = await service_client("vetting")
    case = await open_case_now(runtime)
    filed = (
        await client.post(DECIDE.format(case.id), json=DENY, headers=vetter("vetter-ana"))
    ).json()

    response = await client.post(
        f"{DECIDE.format(case.id)}/{filed['decision_id']}/confirmation",
        json={"outcome": "rejected", "rationale": "The report concerns another unit."},
        headers=vetter("vetter-ben"),
    )

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["case_status"]) == ("rejected", "open")
    assert [t for t, _ in await staged_events(runtime, case.id)] == ["imet.vetting.case_opened.v1"]


async def test_two_vetters_confirming_at_once_confirm_the_decision_once(
    service_client: Any, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETTING_TWO_PERSON_RULE", "true")
    client = await service_client("vetting")
    case = await open_case_now(runtime)
    filed = (
        await client.post(DECIDE.format(case.id), json=DENY, headers=vetter("vetter-ana"))
    ).json()
    confirm = f"{DECIDE.format(case.id)}/{filed['decision_id']}/confirmation"
    concur = {"outcome": "confirmed", "rationale": "Concur."}

    responses = await asyncio.gather(
        client.post(confirm, json=concur, headers=vetter("vetter-ben")),
        client.post(confirm, json=concur, headers=vetter("vetter-cy")),
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    types = [t for t, _ in await staged_events(runtime, case.id)]
    assert types == ["imet.vetting.case_opened.v1", "imet.vetting.denied.v1"]
