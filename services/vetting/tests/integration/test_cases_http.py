"""Reading cases over HTTP: vetters and auditors see everything, an SCO its own country's status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.helpers.fixtures import auth
from vetting.domain.decision import Result

from .support import decide_as, open_case_now, submitted, today, unique_country

CASES = "/api/v1/vetting/cases"


async def test_a_vetter_reads_the_case_with_its_history_and_where_the_person_is(
    client: httpx.AsyncClient, runtime: Any, token: Any
) -> None:
    case = await open_case_now(runtime)
    await decide_as(runtime, case.id, Result.SUSPENDED, "under_review", by="vetter-ana")

    response = await client.get(f"{CASES}/{case.id}", headers=auth(token("vetter")))

    assert response.status_code == 200
    body = response.json()
    assert body["candidate_url"] == f"/api/v1/nominations/candidates/{case.candidate_id}"
    assert (body["status"], body["reason_code"], body["unit_name"]) == (
        "suspended",
        "under_review",
        case.unit_name,
    )
    assert [(d["result"], d["decided_by"], d["state"]) for d in body["decisions"]] == [
        ("suspended", "vetter-ana", "effective")
    ]
    assert body["decisions"][0]["rationale"] == "Holdings checked."
    assert "person_fingerprint" not in body
    assert response.headers["etag"]


async def test_an_unchanged_case_answers_304_to_if_none_match(
    client: httpx.AsyncClient, runtime: Any, token: Any
) -> None:
    case = await open_case_now(runtime)
    first = await client.get(f"{CASES}/{case.id}", headers=auth(token("auditor")))

    again = await client.get(
        f"{CASES}/{case.id}",
        headers={**auth(token("auditor")), "If-None-Match": first.headers["etag"]},
    )

    assert again.status_code == 304


async def test_an_sco_reads_only_status_reason_and_dates_of_its_own_country(
    client: httpx.AsyncClient, runtime: Any, token: Any
) -> None:
    case = await open_case_now(runtime)
    await decide_as(runtime, case.id, Result.DENIED, "derogatory_information", by="vetter-ana")

    own = await client.get(f"{CASES}/{case.id}", headers=auth(token("sco", country=case.country)))
    other = await client.get(
        f"{CASES}/{case.id}", headers=auth(token("sco", country=unique_country()))
    )

    assert own.status_code == 200
    assert set(own.json()) == {
        "case_id",
        "nomination_id",
        "country",
        "status",
        "reason_code",
        "opened_on",
        "due_on",
        "decided_at",
        "valid_until",
    }
    assert (own.json()["status"], own.json()["reason_code"]) == ("denied", "derogatory_information")
    assert other.status_code == 404


async def test_an_sco_lists_only_its_own_country_and_cannot_filter_by_flag(
    client: httpx.AsyncClient, runtime: Any, token: Any
) -> None:
    mine, theirs = await open_case_now(runtime), await open_case_now(runtime)
    sco = auth(token("sco", country=mine.country))

    listed = await client.get(CASES, headers=sco)
    asked_for_other = await client.get(CASES, params={"country": theirs.country}, headers=sco)
    flagged = await client.get(CASES, params={"flagged": "true"}, headers=sco)

    assert [i["case_id"] for i in listed.json()["items"]] == [str(mine.id)]
    assert "rationale" not in listed.text
    assert "unit_name" not in listed.text
    assert asked_for_other.json()["items"] == []
    assert flagged.status_code == 403


async def test_lists_filter_by_status_overdue_and_flag_and_page_with_a_cursor(
    client: httpx.AsyncClient, runtime: Any, token: Any
) -> None:
    country = unique_country()
    old = await open_case_now(runtime, submitted(country=country), on=today() - timedelta(days=40))
    flagged_event = submitted(country=country)
    first = await open_case_now(runtime, flagged_event)
    duplicate = await open_case_now(
        runtime, submitted(country=country, person_fingerprint=flagged_event.person_fingerprint)
    )
    await decide_as(runtime, first.id, Result.APPROVED, "cleared", by="vetter-ana")
    vetter = auth(token("vetter"))

    overdue = await client.get(
        CASES, params={"country": country, "overdue": "true"}, headers=vetter
    )
    flagged = await client.get(
        CASES, params={"country": country, "flagged": "true"}, headers=vetter
    )
    approved = await client.get(
        CASES, params={"country": country, "status": "approved"}, headers=vetter
    )
    page1 = await client.get(CASES, params={"country": country, "limit": 2}, headers=vetter)
    page2 = await client.get(
        CASES,
        params={"country": country, "limit": 2, "cursor": page1.json()["next_cursor"]},
        headers=vetter,
    )

    assert [i["case_id"] for i in overdue.json()["items"]] == [str(old.id)]
    assert overdue.json()["items"][0]["overdue"] is True
    assert [i["case_id"] for i in flagged.json()["items"]] == [str(duplicate.id)]
    assert [i["case_id"] for i in approved.json()["items"]] == [str(first.id)]
    paged = [i["case_id"] for i in page1.json()["items"] + page2.json()["items"]]
    assert sorted(paged) == sorted(str(c.id) for c in (old, first, duplicate))
    assert page2.json()["next_cursor"] is None


async def test_bad_list_parameters_are_problems_not_errors(
    client: httpx.AsyncClient, token: Any
) -> None:
    vetter = auth(token("vetter"))

    responses = [
        await client.get(CASES, params=params, headers=vetter)
        for params in (
            {"cursor": "garbage"},
            {"status": "lost"},
            {"country": "gt"},
            {"limit": 0},
            {"overdue": "maybe"},
            {"fiscal_year": 1800},
        )
    ]

    assert [r.status_code for r in responses] == [400, 422, 422, 422, 422, 422]
    assert all(r.headers["content-type"] == "application/problem+json" for r in responses)


async def test_reading_cases_needs_a_token_and_a_fitting_role(
    client: httpx.AsyncClient, token: Any
) -> None:
    anonymous = await client.get(CASES)
    catalog_manager = await client.get(CASES, headers=auth(token("catalog_manager")))

    assert anonymous.status_code == 401
    assert catalog_manager.status_code == 403
