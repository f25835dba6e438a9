"""Vetters' decisions over HTTP: state machine, two-person rule, concurrency, audit."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.helpers.fixtures import auth

from .support import audit_of, open_case_now, person_token, staged_events

DECIDE = "/api/v1/vetting/cases/{}/decisions"
APPROVE = {"result": "approved", "reason_code": "cleared", "rationale": "Holdings checked, none."}
DENY = {
    "result": "denied",
    "reason_code": "derogatory_information",
    "rationale": "Credible report.",
}


def vetter(subject: str = "vetter-ana") -> dict[str, str]:
    return auth(person_token(subject, "vetter"))


async def test_a_vetter_approves_an_open_case_with_a_twelve_month_validity(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    case = await open_case_now(runtime)

    response = await client.post(DECIDE.format(case.id), json=APPROVE, headers=vetter())

    assert response.status_code == 201
    body = response.json()
    assert (
        response.headers["location"]
        == f"/api/v1/vetting/cases/{case.id}/decisions/{body['decision_id']}"
    )
    assert (body["case_status"], body["state"], body["decided_by"]) == (
        "approved",
        "effective",
        "vetter-ana",
    )
    assert body["valid_until"] is not None
    events = await staged_events(runtime, case.id)
    assert [t for t, _ in events][-1] == "imet.vetting.approved.v1"
    assert events[-1][1]["valid_until"] == body["valid_until"]
    assert events[-1][1]["automatic"] is False


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({**APPROVE, "rationale": "   "}, "validation-error"),
        ({**APPROVE, "rationale": "nul\x00byte"}, "validation-error"),
        ({**APPROVE, "reason_code": "because"}, "validation-error"),
        ({**APPROVE, "result": "reopened"}, "validation-error"),
        ({**APPROVE, "extra": 1}, "validation-error"),
        ({**APPROVE, "reason_code": "derogatory_information"}, "reason-code-not-allowed"),
        (
            {"result": "cancelled", "reason_code": "nomination_withdrawn", "rationale": "x"},
            "reason-code-not-allowed",
        ),
    ],
)
async def test_a_bad_decision_is_refused_with_a_problem_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Any, body: dict[str, Any], problem: str
) -> None:
    case = await open_case_now(runtime)

    response = await client.post(DECIDE.format(case.id), json=body, headers=vetter())

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(problem)
    detail = await client.get(f"/api/v1/vetting/cases/{case.id}", headers=vetter())
    assert detail.json()["status"] == "open"
    assert detail.json()["decisions"] == []


async def test_a_decision_on_an_unknown_or_malformed_case_is_a_problem(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.post(
        DECIDE.format("6f1c3b1e-0000-4000-8000-000000000000"), json=APPROVE, headers=vetter()
    )
    malformed = await client.post(DECIDE.format("not-a-uuid"), json=APPROVE, headers=vetter())

    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("vetting-case-not-found")
    assert malformed.status_code == 422


async def test_a_decided_case_takes_no_second_decision(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    case = await open_case_now(runtime)
    await client.post(DECIDE.format(case.id), json=APPROVE, headers=vetter())

    response = await client.post(DECIDE.format(case.id), json=DENY, headers=vetter("vetter-ben"))

    assert response.status_code == 409
    assert response.json()["type"].endswith("vetting-case-closed")


async def test_concurrent_decisions_on_one_case_let_exactly_one_through(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    case = await open_case_now(runtime)

    responses = await asyncio.gather(
        client.post(DECIDE.format(case.id), json=APPROVE, headers=vetter("vetter-ana")),
        client.post(DECIDE.format(case.id), json=DENY, headers=vetter("vetter-ben")),
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    detail = (await client.get(f"/api/v1/vetting/cases/{case.id}", headers=vetter())).json()
    assert len(detail["decisions"]) == 1
    results = [t for t, _ in await staged_events(runtime, case.id)]
    assert len([t for t in results if t != "imet.vetting.case_opened.v1"]) == 1


async def test_a_stale_if_match_refuses_the_decision(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    case = await open_case_now(runtime)
    read = await client.get(f"/api/v1/vetting/cases/{case.id}", headers=vetter())
    await client.post(
        DECIDE.format(case.id),
        json={
            "result": "suspended",
            "reason_code": "under_review",
            "rationale": "Waiting for INL.",
        },
        headers=vetter(),
    )

    response = await client.post(
        DECIDE.format(case.id), json=APPROVE, headers={**vetter(), "If-Match": read.headers["etag"]}
    )

    assert response.status_code == 412
    detail = (await client.get(f"/api/v1/vetting/cases/{case.id}", headers=vetter())).json()
    assert detail["status"] == "suspended"


async def test_a_suspended_case_is_re_decided_later(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    case = await open_case_now(runtime)
    await client.post(
        DECIDE.format(case.id),
        json={
            "result": "suspended",
            "reason_code": "insufficient_information",
            "rationale": "Unit unclear.",
        },
        headers=vetter(),
    )

    response = await client.post(DECIDE.format(case.id), json=APPROVE, headers=vetter("vetter-ben"))

    assert response.status_code == 201
    types = [t for t, _ in await staged_events(runtime, case.id)]
    assert types[1:] == ["imet.vetting.suspended.v1", "imet.vetting.approved.v1"]


@pytest.mark.parametrize(
    ("role", "country"), [("auditor", None), ("sco", "GTM"), ("funding_officer", None)]
)
async def test_only_vetters_and_admins_decide(
    client: httpx.AsyncClient, runtime: Any, token: Any, role: str, country: str | None
) -> None:
    case = await open_case_now(runtime)

    response = await client.post(
        DECIDE.format(case.id), json=APPROVE, headers=auth(token(role, country=country))
    )
    by_admin = await client.post(DECIDE.format(case.id), json=APPROVE, headers=auth(token("admin")))

    assert response.status_code == 403
    assert by_admin.status_code == 201


async def test_no_member_of_a_unit_on_the_registry_can_be_approved(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    case = await open_case_now(runtime)
    await client.post(
        "/api/v1/vetting/registry",
        json={"country": case.country, "unit_name": case.unit_name, "source_reference": "INVEST-9"},
        headers=vetter(),
    )

    response = await client.post(DECIDE.format(case.id), json=APPROVE, headers=vetter())

    assert response.status_code == 409
    assert response.json()["type"].endswith("unit-blocked")


async def test_every_decision_is_audited_with_who_and_before_after(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    case = await open_case_now(runtime)
    await client.post(DECIDE.format(case.id), json=APPROVE, headers=vetter("vetter-ana"))

    records = {r.action: r for r in await audit_of(runtime, str(case.id))}

    assert set(records) == {"case.opened", "case.decided"}
    decided = records["case.decided"]
    assert decided.actor == "vetter-ana"
    assert (decided.before["status"], decided.after["status"]) == ("open", "approved")
    assert decided.after["rationale"] == APPROVE["rationale"]


async def test_the_decision_record_refuses_updates_and_deletes(
    client: httpx.AsyncClient, runtime: Any
) -> None:
    case = await open_case_now(runtime)
    await client.post(DECIDE.format(case.id), json=APPROVE, headers=vetter())

    for statement in ("UPDATE decision SET rationale = 'rewritten'", "DELETE FROM decision"):
        async with runtime.sessions() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text(f"{statement} WHERE case_id = :id"), {"id": case.id})

    detail = (await client.get(f"/api/v1/vetting/cases/{case.id}", headers=vetter())).json()
    assert detail["decisions"][0]["rationale"] == APPROVE["rationale"]
