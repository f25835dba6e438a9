"""Units' registry identity over HTTP, and the registry look-back: a listing suspends the
approvals its members already hold; remediation lets a vetter approve again."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.helpers.fixtures import auth
from vetting.domain.decision import Result

from .support import (
    audit_of,
    case_row,
    decide_as,
    open_case_now,
    staged_events,
    submitted,
    unique_country,
    unique_unit,
)

UNITS = "/api/v1/vetting/units"
REGISTRY = "/api/v1/vetting/registry"
CASES = "/api/v1/vetting/cases"


async def _unit(client: httpx.AsyncClient, token: Any, country: str, name: str, **kw: Any) -> str:
    created = await client.post(
        UNITS, json={"country": country, "name": name, **kw}, headers=auth(token("vetter"))
    )
    assert created.status_code == 201, created.text
    return str(created.json()["unit_id"])


async def _approved(runtime: Any, country: str, unit_name: str, **kw: Any) -> Any:
    event = submitted(country=country, unit_name=unit_name, **kw)
    case = await open_case_now(runtime, event)
    await decide_as(runtime, case.id, Result.APPROVED, "cleared", by="vetter-a")
    return event


async def _list(client: httpx.AsyncClient, token: Any, **body: Any) -> httpx.Response:
    return await client.post(
        REGISTRY,
        json={"source_reference": "INVEST 2026-77", "summary": "Credible reports.", **body},
        headers=auth(token("vetter")),
    )


async def test_a_unit_has_one_identity_per_country_name_and_parent(
    client: httpx.AsyncClient, token: Any
) -> None:
    country, name = unique_country(), unique_unit()
    brigade = await _unit(client, token, country, "Brigada " + name)

    first = await client.post(
        UNITS, json={"country": country, "name": name, "parent_unit_id": brigade},
        headers=auth(token("vetter")),
    )  # fmt: skip
    again = await client.post(
        UNITS, json={"country": country, "name": f" {name.upper()} ", "parent_unit_id": brigade},
        headers=auth(token("sco", country=country)),
    )  # fmt: skip
    elsewhere = await client.post(
        UNITS, json={"country": country, "name": name}, headers=auth(token("vetter"))
    )
    other_sco = await client.post(
        UNITS, json={"country": country, "name": "X " + name},
        headers=auth(token("sco", country="ZZZ")),
    )  # fmt: skip
    no_parent = await client.post(
        UNITS, json={"country": country, "name": "Y " + name, "parent_unit_id": str(uuid.uuid4())},
        headers=auth(token("vetter")),
    )  # fmt: skip
    listed = await client.get(
        UNITS, params={"name": name}, headers=auth(token("sco", country=country))
    )

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["unit_id"] == first.json()["unit_id"]
    assert elsewhere.status_code == 201
    assert other_sco.status_code == 403
    assert no_parent.status_code == 404
    assert no_parent.headers["content-type"] == "application/problem+json"
    assert {u["unit_id"] for u in listed.json()["items"]} == {
        first.json()["unit_id"],
        elsewhere.json()["unit_id"],
    }


async def test_listing_a_unit_suspends_its_members_still_valid_approvals(
    client: httpx.AsyncClient, token: Any, make_runtime: Any
) -> None:
    runtime = await make_runtime("vetting")
    country, name = unique_country(), unique_unit()
    unit_id = await _unit(client, token, country, name)
    by_identity = await _approved(runtime, country, "anything typed", unit_id=uuid.UUID(unit_id))
    by_name = await _approved(runtime, country, name.lower())
    elsewhere = await _approved(runtime, country, unique_unit())

    listed = await _list(client, token, country=country, unit_id=unit_id)
    queue = await client.get(
        CASES, params={"reason_code": "unit_listed", "country": country},
        headers=auth(token("vetter")),
    )  # fmt: skip

    rows = {e: await case_row(runtime, e.nomination_id) for e in (by_identity, by_name, elsewhere)}
    assert listed.status_code == 201
    assert (rows[by_identity].status, rows[by_identity].reason_code) == ("suspended", "unit_listed")
    assert (rows[by_name].status, rows[by_name].unit_match) == ("suspended", "by_name")
    assert rows[elsewhere].status == "approved"
    assert {c["nomination_id"] for c in queue.json()["items"]} == {
        str(by_identity.nomination_id),
        str(by_name.nomination_id),
    }
    events = await staged_events(runtime, rows[by_identity].id)
    assert events[-1][0] == "imet.vetting.approval_suspended.v1"
    assert events[-1][1]["registry_entry_id"] == listed.json()["entry_id"]
    assert events[-1][1]["reason_code"] == "unit_listed"
    audits = [a.action for a in await audit_of(runtime, str(rows[by_identity].id))]
    assert "case.suspended_by_registry" in audits


async def test_extending_an_entry_to_subunits_reaches_their_members(
    client: httpx.AsyncClient, token: Any, make_runtime: Any
) -> None:
    runtime = await make_runtime("vetting")
    country = unique_country()
    brigade = await _unit(client, token, country, unique_unit())
    battalion = await _unit(client, token, country, unique_unit(), parent_unit_id=brigade)
    member = await _approved(runtime, country, "b", unit_id=uuid.UUID(battalion))
    entry = (await _list(client, token, country=country, unit_id=brigade)).json()

    before = (await case_row(runtime, member.nomination_id)).status
    extended = await client.post(
        f"{REGISTRY}/{entry['entry_id']}/subunits", headers=auth(token("vetter"))
    )
    after = await case_row(runtime, member.nomination_id)

    assert before == "approved"
    assert extended.status_code == 200
    assert extended.json()["include_subunits"] is True
    assert (after.status, after.registry_entry_id) == ("suspended", uuid.UUID(entry["entry_id"]))


async def test_a_vetter_approves_a_suspended_member_again_only_after_remediation(
    client: httpx.AsyncClient, token: Any, make_runtime: Any
) -> None:
    runtime = await make_runtime("vetting")
    country, name = unique_country(), unique_unit()
    unit_id = await _unit(client, token, country, name)
    member = await _approved(runtime, country, name, unit_id=uuid.UUID(unit_id))
    entry = (await _list(client, token, country=country, unit_id=unit_id)).json()
    case_id = (await case_row(runtime, member.nomination_id)).id
    body = {"result": "approved", "reason_code": "cleared", "rationale": "Unit remediated."}
    vetter = auth(token("vetter"))

    blocked = await client.post(f"{CASES}/{case_id}/decisions", json=body, headers=vetter)
    await client.post(
        f"{REGISTRY}/{entry['entry_id']}/remediation",
        json={"remediation_notes": "Commander replaced.", "remediation_reference": "R-1"},
        headers=vetter,
    )  # fmt: skip
    approved = await client.post(f"{CASES}/{case_id}/decisions", json=body, headers=vetter)

    assert blocked.status_code == 409
    assert blocked.json()["type"].endswith("unit-blocked")
    assert approved.status_code == 201
    assert (await case_row(runtime, member.nomination_id)).status == "approved"


async def test_a_name_several_units_share_is_a_flag_and_still_held_for_review(
    client: httpx.AsyncClient, token: Any, make_runtime: Any
) -> None:
    runtime = await make_runtime("vetting")
    country, name = unique_country(), unique_unit()
    first = await _unit(client, token, country, name, parent_unit_id=await _unit(
        client, token, country, unique_unit()
    ))  # fmt: skip
    await _unit(client, token, country, name, parent_unit_id=await _unit(
        client, token, country, unique_unit()
    ))  # fmt: skip
    typed = await _approved(runtime, country, name)

    await _list(client, token, country=country, unit_id=first)

    row = await case_row(runtime, typed.nomination_id)
    assert (row.unit_match, row.unit_id) == ("ambiguous", None)
    assert row.status == "suspended"
