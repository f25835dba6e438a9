"""The derogatory-unit registry over HTTP: add, match, remediate, history, access."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.helpers.fixtures import auth

from .support import open_case_now, submitted, unique_country, unique_unit

REGISTRY = "/api/v1/vetting/registry"


def _entry(country: str, unit: str) -> dict[str, Any]:
    return {
        "country": country,
        "unit_name": unit,
        "source_reference": "INVEST 2026-0142",
        "summary": "Credible reports of enforced disappearances.",
    }


async def test_a_vetter_adds_a_unit_and_finds_it_by_its_name_in_any_case_and_spacing(
    client: httpx.AsyncClient, token: Any
) -> None:
    country, unit = unique_country(), unique_unit()
    vetter = auth(token("vetter"))

    created = await client.post(REGISTRY, json=_entry(country, unit), headers=vetter)
    found = await client.get(
        REGISTRY, params={"unit_name": f"  {unit.upper()}  ", "country": country}, headers=vetter
    )

    assert created.status_code == 201
    assert created.headers["location"] == f"{REGISTRY}/{created.json()['entry_id']}"
    assert created.headers["etag"]
    assert created.json()["active"] is True
    assert [e["entry_id"] for e in found.json()["items"]] == [created.json()["entry_id"]]


async def test_a_unit_has_one_active_entry_also_under_concurrent_adds(
    client: httpx.AsyncClient, token: Any
) -> None:
    country, unit = unique_country(), unique_unit()
    vetter = auth(token("vetter"))

    responses = await asyncio.gather(
        client.post(REGISTRY, json=_entry(country, unit), headers=vetter),
        client.post(
            REGISTRY, json=_entry(country, f" {unit.lower()} "), headers=auth(token("admin"))
        ),
    )
    again = await client.post(REGISTRY, json=_entry(country, unit), headers=vetter)

    assert sorted(r.status_code for r in responses) == [201, 409]
    assert again.status_code == 409
    assert again.json()["type"].endswith("unit-already-listed")
    listed = await client.get(REGISTRY, params={"country": country}, headers=vetter)
    assert len(listed.json()["items"]) == 1


async def test_remediation_unblocks_the_unit_and_keeps_the_entry_in_the_history(
    client: httpx.AsyncClient, runtime: Any, token: Any
) -> None:
    country, unit = unique_country(), unique_unit()
    vetter = auth(token("vetter"))
    entry = (await client.post(REGISTRY, json=_entry(country, unit), headers=vetter)).json()

    remediated = await client.post(
        f"{REGISTRY}/{entry['entry_id']}/remediation",
        json={"remediation_notes": "Perpetrators prosecuted.", "remediation_reference": "DRL 88"},
        headers=vetter,
    )
    twice = await client.post(
        f"{REGISTRY}/{entry['entry_id']}/remediation",
        json={"remediation_notes": "Again."},
        headers=vetter,
    )
    case = await open_case_now(runtime, submitted(country=country, unit_name=unit))

    assert remediated.status_code == 200
    assert (remediated.json()["active"], remediated.json()["remediated_by"]) == (
        False,
        "dev-vetter",
    )
    assert twice.status_code == 409
    assert case.status.value == "open"
    history = await client.get(
        REGISTRY, params={"country": country, "active": "false"}, headers=vetter
    )
    assert [e["entry_id"] for e in history.json()["items"]] == [entry["entry_id"]]


async def test_a_stale_if_match_refuses_the_remediation(
    client: httpx.AsyncClient, token: Any
) -> None:
    vetter = auth(token("vetter"))
    created = await client.post(
        REGISTRY, json=_entry(unique_country(), unique_unit()), headers=vetter
    )

    response = await client.post(
        f"{REGISTRY}/{created.json()['entry_id']}/remediation",
        json={"remediation_notes": "Done."},
        headers={**vetter, "If-Match": '"stale"'},
    )

    assert response.status_code == 412
    entry = await client.get(f"{REGISTRY}/{created.json()['entry_id']}", headers=vetter)
    assert entry.json()["active"] is True


async def test_auditors_read_the_registry_scos_do_not_and_only_vetters_change_it(
    client: httpx.AsyncClient, token: Any
) -> None:
    country = unique_country()

    by_auditor = await client.post(
        REGISTRY, json=_entry(country, unique_unit()), headers=auth(token("auditor"))
    )
    auditor_reads = await client.get(REGISTRY, headers=auth(token("auditor")))
    sco_reads = await client.get(REGISTRY, headers=auth(token("sco", country=country)))

    assert by_auditor.status_code == 403
    assert auditor_reads.status_code == 200
    assert sco_reads.status_code == 403


async def test_bad_registry_input_is_refused_with_the_offending_fields(
    client: httpx.AsyncClient, token: Any
) -> None:
    vetter = auth(token("vetter"))
    bodies = [
        {**_entry("gtm", "Unit"), "country": "gtm"},
        _entry(unique_country(), "Unit\x00 7"),
        _entry(unique_country(), "x" * 301),
        {**_entry(unique_country(), "Unit"), "colour": "red"},
        {"country": unique_country(), "unit_name": "Unit"},
    ]

    responses = [await client.post(REGISTRY, json=body, headers=vetter) for body in bodies]

    assert [r.status_code for r in responses] == [422] * 5
    assert all(r.json()["errors"] for r in responses)
    unknown = await client.get(f"{REGISTRY}/00000000-0000-4000-8000-000000000000", headers=vetter)
    assert unknown.status_code == 404
    nul_filter = await client.get(REGISTRY, params={"unit_name": "a\x00b"}, headers=vetter)
    assert nul_filter.status_code == 422
