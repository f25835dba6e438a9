"""Nominations and candidates over HTTP: create, read, edit, scope, redact."""

from __future__ import annotations

import pytest

from services.nomination.tests.integration.support import BASE, TODAY, World, passport


async def test_a_draft_is_created_with_location_etag_history_and_a_created_event(
    world: World,
) -> None:
    klass = await world.catalog()

    draft = await world.draft(klass)
    response = await world.client.get(f"{BASE}/{draft['id']}", headers=world.as_("sco", "GTM"))

    assert response.status_code == 200
    assert response.headers["ETag"]
    assert response.json()["status"] == "draft"
    assert response.json()["masl_id"] == klass.masl_id
    assert [(h["kind"], h["to_state"], h["reason"]) for h in await world.history(draft["id"])] == [
        ("transition", "draft", "created")
    ]
    assert await world.published_types(draft["id"]) == ["created"]


async def test_another_countrys_sco_gets_404_and_an_empty_list(world: World) -> None:
    draft = await world.draft()
    colombia = world.as_("sco", "COL")

    nomination = await world.client.get(f"{BASE}/{draft['id']}", headers=colombia)
    candidate = await world.client.get(
        f"{BASE}/candidates/{draft['candidate_id']}", headers=colombia
    )
    submit = await world.client.post(f"{BASE}/{draft['id']}/submit", headers=colombia)
    listed = await world.client.get(BASE, params={"class_id": draft["class_id"]}, headers=colombia)

    assert (nomination.status_code, candidate.status_code, submit.status_code) == (404, 404, 404)
    assert listed.json()["items"] == []


async def test_lists_filter_by_class_status_and_fiscal_year_with_a_cursor(world: World) -> None:
    klass = await world.catalog()
    made = [await world.draft(klass) for _ in range(3)]
    query = {
        "class_id": str(klass.class_id),
        "status": "draft",
        "fiscal_year": klass.fiscal_year,
        "limit": 2,
    }

    first = await world.client.get(BASE, params=query, headers=world.as_("auditor"))
    second = await world.client.get(
        BASE, params={**query, "cursor": first.json()["next_cursor"]}, headers=world.as_("auditor")
    )

    ids = [n["id"] for n in first.json()["items"] + second.json()["items"]]
    assert sorted(ids) == sorted(n["id"] for n in made)
    assert second.json()["next_cursor"] is None


async def test_an_sco_cannot_create_a_candidate_for_another_country(world: World) -> None:
    response = await world.client.post(
        f"{BASE}/candidates", json=world.candidate_body("COL"), headers=world.as_("sco", "GTM")
    )

    assert response.status_code == 403


async def test_updates_need_if_match_and_refuse_a_stale_one(world: World) -> None:
    draft = await world.draft()
    url, sco = f"{BASE}/{draft['id']}", world.as_("sco", "GTM")
    current = (await world.client.get(url, headers=sco)).headers["ETag"]

    missing = await world.client.patch(url, json={"with_dependents": True}, headers=sco)
    updated = await world.client.patch(
        url, json={"with_dependents": True}, headers={**sco, "If-Match": current}
    )
    stale = await world.client.patch(
        url, json={"with_dependents": False}, headers={**sco, "If-Match": current}
    )

    assert (missing.status_code, updated.status_code, stale.status_code) == (428, 200, 412)
    assert updated.json()["with_dependents"] is True


async def test_server_owned_fields_are_never_assignable(world: World) -> None:
    draft = await world.draft()
    url, sco = f"{BASE}/{draft['id']}", world.as_("sco", "GTM")
    etag = (await world.client.get(url, headers=sco)).headers["ETag"]

    response = await world.client.patch(
        url, json={"status": "ready_for_travel"}, headers={**sco, "If-Match": etag}
    )

    assert response.status_code == 422
    assert (await world.get(draft["id"]))["status"] == "draft"


async def test_after_submission_only_screening_records_can_change(world: World) -> None:
    nomination = await world.submitted()
    url, sco = f"{BASE}/{nomination['id']}", world.as_("sco", "GTM")
    etag = (await world.client.get(url, headers=sco)).headers["ETag"]

    refused = await world.client.patch(
        url, json={"with_dependents": True}, headers={**sco, "If-Match": etag}
    )
    screening = {"security_screening": {"recorded_on": TODAY.isoformat(), "reference": "SEC-2"}}
    accepted = await world.client.patch(url, json=screening, headers={**sco, "If-Match": etag})

    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/not-editable")
    assert accepted.status_code == 200
    assert accepted.json()["security_screening"]["reference"] == "SEC-2"


async def test_malformed_input_is_a_problem_document_never_a_500(world: World) -> None:
    sco = world.as_("sco", "GTM")

    responses = [
        await world.client.post(
            BASE, content=b"{not json", headers={**sco, "content-type": "application/json"}
        ),
        await world.client.post(BASE, json={"candidate_id": "nope", "fiscal_year": 1}, headers=sco),
        await world.client.get(f"{BASE}/not-a-uuid", headers=sco),
        await world.client.post(f"{BASE}/candidates", json={"family_names": ""}, headers=sco),
    ]

    assert [r.status_code for r in responses] == [422, 422, 404, 422]
    assert all(r.headers["content-type"] == "application/problem+json" for r in responses)


@pytest.mark.parametrize("role", ["vetter", "admin"])
async def test_vetters_and_admins_read_personal_data_and_the_read_is_audited(
    world: World, role: str
) -> None:
    draft = await world.draft()

    response = await world.client.get(
        f"{BASE}/candidates/{draft['candidate_id']}", headers=world.as_(role)
    )
    query = {"entity_id": draft["candidate_id"], "action": "candidate.personal_data_read"}
    audit = await world.client.get(f"{BASE}/audit", params=query, headers=world.as_("auditor"))

    assert response.json()["redacted"] is False
    assert response.json()["passport_number"]
    assert [a["actor"] for a in audit.json()["items"]] == [f"dev-{role}"]


@pytest.mark.parametrize("role", ["auditor", "funding_officer"])
async def test_auditors_and_funding_officers_see_a_redacted_candidate(
    world: World, role: str
) -> None:
    draft = await world.draft()

    candidate = await world.client.get(
        f"{BASE}/candidates/{draft['candidate_id']}", headers=world.as_(role)
    )
    nomination = await world.client.get(f"{BASE}/{draft['id']}", headers=world.as_(role))

    assert candidate.json()["redacted"] is True
    assert candidate.json()["date_of_birth"] is None
    assert candidate.json()["passport_number"] is None
    assert nomination.json()["medical_clearance"] is None


async def test_a_candidate_correction_that_makes_two_active_nominations_one_person_is_refused(
    world: World,
) -> None:
    klass = await world.catalog()
    first = await world.submitted(klass)
    second = await world.submitted(klass)
    sco = world.as_("sco", "GTM")
    person = (
        await world.client.get(f"{BASE}/candidates/{first['candidate_id']}", headers=sco)
    ).json()
    url = f"{BASE}/candidates/{second['candidate_id']}"
    etag = (await world.client.get(url, headers=sco)).headers["ETag"]
    same = {k: person[k] for k in ("family_names", "given_names", "date_of_birth")}
    same["passport_number"] = passport()  # new names come with their passport (issue 11)

    response = await world.client.patch(url, json=same, headers={**sco, "If-Match": etag})

    assert response.status_code == 409
    assert response.json()["type"].endswith("/duplicate-nomination")
    assert (await world.client.get(url, headers=sco)).headers["ETag"] == etag


async def test_a_candidate_correction_is_recorded_on_its_open_nominations(world: World) -> None:
    nomination = await world.submitted()
    sco = world.as_("sco", "GTM")
    url = f"{BASE}/candidates/{nomination['candidate_id']}"
    etag = (await world.client.get(url, headers=sco)).headers["ETag"]

    response = await world.client.patch(
        url,
        json={"given_names": "Ana María", "passport_number": passport()},
        headers={**sco, "If-Match": etag},
    )

    history = await world.history(nomination["id"])
    corrected = [h for h in history if h["reason"] == "candidate_corrected"]
    changed = [h for h in history if h["reason"] == "candidate_changed"]
    assert response.json()["given_names"] == "Ana María"
    assert [h["detail"] for h in corrected] == [{"fields": ["person_fingerprint"]}]
    assert [h["detail"]["fields"] for h in changed] == [["given_names"]]


async def test_a_draft_withdrawn_with_the_longest_reason_keeps_it(world: World) -> None:
    draft = await world.draft()
    reason = "r" * 500

    response = await world.client.post(
        f"{BASE}/{draft['id']}/withdraw", json={"reason": reason}, headers=world.as_("sco", "GTM")
    )
    too_long = await world.client.post(
        f"{BASE}/{draft['id']}/withdraw",
        json={"reason": reason + "r"},
        headers=world.as_("sco", "GTM"),
    )

    assert response.json()["status"] == "withdrawn"
    assert response.json()["status_reason"] == reason
    assert response.json()["compensations"] == {}
    assert too_long.status_code == 422
