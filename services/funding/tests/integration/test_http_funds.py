"""The funding API: appropriations, allocations and reprogramming, roles and country scoping,
problem documents for bad input, and the consistency check."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from funding.adapters.tables import allocation
from funding.service_layer.obligate import request_funding
from services.funding.tests.integration.support import ACTOR, country, course, known, line_cost
from tests.helpers.fixtures import auth

TODAY = datetime.now(UTC).date()


async def appropriated(client: Any, officer: dict[str, str], fiscal_year: int, amount: str) -> Any:
    """PUT an appropriation for a (future) test fiscal year and make its funds available now,
    as a funding officer's advance availability does (ADR 0061)."""
    created = await client.put(
        f"/api/v1/funding/appropriations/{fiscal_year}",
        json=appropriation_body(fiscal_year, amount),
        headers=officer,
    )
    return await client.post(
        f"/api/v1/funding/appropriations/{fiscal_year}/advance-availability",
        json={"available_from": "2000-01-01", "reason": "test funds available now"},
        headers=officer | {"If-Match": created.headers["ETag"]},
    )


def appropriation_body(
    fiscal_year: int, amount: str, extended: str | None = None
) -> dict[str, Any]:
    tranches = [{"amount": amount, "available_until": f"{fiscal_year}-09-30"}]
    if extended is not None:
        base = Decimal(amount) - Decimal(extended)
        tranches = [
            {"amount": str(base), "available_until": f"{fiscal_year}-09-30"},
            {"amount": extended, "available_until": f"{fiscal_year + 1}-09-30"},
        ]
    return {"amount": amount, "tranches": tranches}


async def test_an_appropriation_is_created_then_changed_only_against_its_current_version(
    service_client: Any, token: Any, fiscal_year: int
) -> None:
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    path = f"/api/v1/funding/appropriations/{fiscal_year}"

    created = await client.put(
        path, json=appropriation_body(fiscal_year, "110000000.00", "2000000.00"), headers=officer
    )
    blind = await client.put(
        path, json=appropriation_body(fiscal_year, "111000000.00"), headers=officer
    )
    stale = await client.put(
        path,
        json=appropriation_body(fiscal_year, "111000000.00"),
        headers=officer | {"If-Match": '"stale"'},
    )
    changed = await client.put(
        path,
        json=appropriation_body(fiscal_year, "111000000.00"),
        headers=officer | {"If-Match": created.headers["ETag"]},
    )
    read = await client.get(path, headers=auth(token("auditor")))

    assert (created.status_code, created.headers["Location"]) == (201, path)
    assert [len(created.json()["tranches"]), created.json()["unallocated"]] == [2, "110000000.00"]
    assert (blind.status_code, stale.status_code, changed.status_code) == (428, 412, 200)
    assert read.json()["amount"] == "111000000.00"
    assert read.headers["ETag"] == changed.headers["ETag"] != created.headers["ETag"]


async def test_concurrent_allocations_never_add_up_to_more_than_the_appropriation(
    service_client: Any, token: Any, fiscal_year: int
) -> None:
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    await client.put(
        f"/api/v1/funding/appropriations/{fiscal_year}",
        json=appropriation_body(fiscal_year, "1000000.00"),
        headers=officer,
    )
    countries = [country() for _ in range(12)]

    answers = await asyncio.gather(
        *(
            client.post(
                "/api/v1/funding/allocations",
                headers=officer,
                json={"country": c, "fiscal_year": fiscal_year, "amount": "300000.00"},
            )
            for c in countries
        )
    )

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 3 + [409] * 9
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/allocations-exceed-appropriation")
    summary = await client.get(f"/api/v1/funding/appropriations/{fiscal_year}", headers=officer)
    assert (summary.json()["allocated"], summary.json()["unallocated"]) == (
        "900000.00",
        "100000.00",
    )


async def test_reprogramming_records_reason_and_actor_and_never_goes_below_what_is_obligated(
    service_client: Any, make_runtime: Any, token: Any, fiscal_year: int
) -> None:
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await known(runtime, c)
    await appropriated(client, officer, fiscal_year, "1000000.00")
    created = await client.post(
        "/api/v1/funding/allocations",
        headers=officer,
        json={"country": code, "fiscal_year": fiscal_year, "amount": "50000.00"},
    )
    path = created.headers["Location"]
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, c.request(code), TODAY)

    too_low = await client.patch(
        path,
        headers=officer | {"If-Match": created.headers["ETag"]},
        json={"amount": str(line_cost(c) - 1), "reason": "pull back unused ceiling"},
    )
    lowered = await client.patch(
        path,
        headers=officer | {"If-Match": created.headers["ETag"]},
        json={"amount": str(line_cost(c)), "reason": "pull back unused ceiling"},
    )
    history = await client.get(f"{path}/changes", headers=officer)
    balance = await client.get(f"/api/v1/funding/balances/{code}/{fiscal_year}", headers=officer)

    assert too_low.status_code == 409
    assert too_low.json()["type"].endswith("/allocation-below-obligated")
    assert lowered.status_code == 200
    assert [
        (h["previous_amount"], h["new_amount"], h["reason"]) for h in history.json()["items"]
    ] == [
        (None, "50000.00", "initial allocation"),
        ("50000.00", f"{line_cost(c):.2f}", "pull back unused ceiling"),
    ]
    assert history.json()["items"][1]["actor"].startswith("dev-")
    assert (balance.json()["available"], balance.json()["obligated"]) == (
        "0.00",
        f"{line_cost(c):.2f}",
    )


async def test_an_sco_sees_only_its_own_country_and_no_budget_totals(
    service_client: Any, make_runtime: Any, token: Any, fiscal_year: int
) -> None:
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    runtime = await make_runtime("funding")
    mine, theirs, c = country(), country(), course(fiscal_year)
    await known(runtime, c)
    await appropriated(client, officer, fiscal_year, "1000000.00")
    for code in (mine, theirs):
        await client.post(
            "/api/v1/funding/allocations",
            headers=officer,
            json={"country": code, "fiscal_year": fiscal_year, "amount": "50000.00"},
        )
        async with runtime.uow(ACTOR) as uow:
            await request_funding(uow, c.request(code), TODAY)
    sco = auth(token("sco", country=mine))
    their_obligation = (
        await client.get(
            f"/api/v1/funding/obligations?country={theirs}&fiscal_year={fiscal_year}",
            headers=officer,
        )
    ).json()

    listed = await client.get(f"/api/v1/funding/obligations?fiscal_year={fiscal_year}", headers=sco)
    asked_for_theirs = await client.get(
        f"/api/v1/funding/allocations?country={theirs}", headers=sco
    )
    single = await client.get(
        f"/api/v1/funding/obligations/{their_obligation['items'][0]['id']}", headers=sco
    )
    balance = await client.get(f"/api/v1/funding/balances/{theirs}/{fiscal_year}", headers=sco)
    own = await client.get(f"/api/v1/funding/balances/{mine}/{fiscal_year}", headers=sco)
    budget = await client.get(f"/api/v1/funding/appropriations/{fiscal_year}", headers=sco)
    change = await client.post(
        "/api/v1/funding/allocations",
        headers=sco,
        json={"country": mine, "fiscal_year": fiscal_year, "amount": "1.00"},
    )

    assert {o["country"] for o in listed.json()["items"]} == {mine}
    assert asked_for_theirs.json()["items"] == []
    assert (single.status_code, balance.status_code, own.status_code) == (404, 404, 200)
    assert (budget.status_code, change.status_code) == (403, 403)


async def _row_counts(runtime: Any) -> tuple[int, ...]:
    async with runtime.sessions() as s:
        tables = ("ledger_entry", "allocation", "appropriation", "audit_log", "outbox")
        return tuple(
            [(await s.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one() for t in tables]  # noqa: S608
        )


# Parameters must be the same in every xdist worker: no random values at collection time.
UNKNOWN_ID = uuid.UUID("7cfd9f5f-644d-4278-83da-b9de180c846b")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "post",
            "/api/v1/funding/allocations",
            {"country": "gtm", "fiscal_year": 2040, "amount": "1.00"},
        ),
        (
            "post",
            "/api/v1/funding/allocations",
            {"country": "GTM", "fiscal_year": 2040, "amount": "1.001"},
        ),
        (
            "post",
            "/api/v1/funding/allocations",
            b'{"country": "GTM", "fiscal_year": 2040, "amount": 1e400}',
        ),
        (
            "post",
            "/api/v1/funding/allocations",
            b'{"country": "GTM", "fiscal_year": 2040, "amount": NaN}',
        ),
        (
            "post",
            "/api/v1/funding/allocations",
            b'{"country": "GTM", "fiscal_year": 2040, "amount": "1',
        ),
        ("patch", f"/api/v1/funding/allocations/{UNKNOWN_ID}", {"amount": "5.00", "reason": "x"}),
        ("put", "/api/v1/funding/appropriations/2040", {"amount": "-5.00", "tranches": []}),
        ("put", "/api/v1/funding/appropriations/1776", {"amount": "5.00", "tranches": []}),
        ("get", "/api/v1/funding/ledger?cursor=not-a-cursor", None),
        ("get", "/api/v1/funding/obligations/not-a-uuid", None),
        ("post", "/api/v1/funding/estimates", {"class_id": str(UNKNOWN_ID), "country": "GTM"}),
    ],
)
async def test_bad_input_gets_a_problem_document_and_changes_nothing(
    service_client: Any,
    make_runtime: Any,
    token: Any,
    method: str,
    path: str,
    body: dict[str, Any] | bytes | None,
) -> None:
    client, headers = await service_client("funding"), auth(token("funding_officer"))
    runtime = await make_runtime("funding")
    raw = {"content-type": "application/json"}
    before = await _row_counts(runtime)

    if isinstance(body, bytes):
        answer = await client.request(method.upper(), path, content=body, headers=headers | raw)
    else:
        answer = await client.request(method.upper(), path, json=body, headers=headers)

    assert await _row_counts(runtime) == before
    assert 400 <= answer.status_code < 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].startswith("https://imet.example/problems/")


async def test_the_consistency_check_agrees_with_the_ledger_and_catches_a_tampered_balance(
    service_client: Any, make_runtime: Any, token: Any, fiscal_year: int
) -> None:
    client, auditor = await service_client("funding"), auth(token("auditor"))
    officer = auth(token("funding_officer"))
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year), country()
    await known(runtime, c)
    await client.put(
        f"/api/v1/funding/appropriations/{fiscal_year}",
        json=appropriation_body(fiscal_year, "1000000.00"),
        headers=officer,
    )
    await client.post(
        "/api/v1/funding/allocations",
        headers=officer,
        json={"country": code, "fiscal_year": fiscal_year, "amount": "50000.00"},
    )
    async with runtime.uow(ACTOR) as uow:
        await request_funding(uow, c.request(code), TODAY)

    agreed = await client.get(
        f"/api/v1/funding/consistency?fiscal_year={fiscal_year}", headers=auditor
    )
    async with runtime.sessions() as s:
        await s.execute(
            update(allocation)
            .where(allocation.c.country == code, allocation.c.fiscal_year == fiscal_year)
            .values(obligated=allocation.c.obligated + 1)
        )
        await s.commit()
    tampered = await client.get(
        f"/api/v1/funding/consistency?fiscal_year={fiscal_year}", headers=auditor
    )

    assert agreed.json()["ok"] is True
    assert [(r["country"], r["ok"]) for r in agreed.json()["countries"]] == [(code, True)]
    assert agreed.json()["fiscal_years"][0]["ledger_unallocated"] == "950000.00"
    assert tampered.json()["ok"] is False
    mismatch = tampered.json()["countries"][0]
    assert float(mismatch["stored"]["obligated"]) - float(mismatch["ledger"]["obligated"]) == 1


async def test_the_ledger_is_append_only_and_paginated(
    service_client: Any, make_runtime: Any, token: Any, fiscal_year: int
) -> None:
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    runtime = await make_runtime("funding")
    await client.put(
        f"/api/v1/funding/appropriations/{fiscal_year}",
        json=appropriation_body(fiscal_year, "1000000.00"),
        headers=officer,
    )
    for _ in range(3):
        await client.post(
            "/api/v1/funding/allocations",
            headers=officer,
            json={"country": country(), "fiscal_year": fiscal_year, "amount": "10.00"},
        )

    first = await client.get(
        f"/api/v1/funding/ledger?fiscal_year={fiscal_year}&limit=3", headers=officer
    )
    rest = await client.get(
        f"/api/v1/funding/ledger?fiscal_year={fiscal_year}&limit=3&cursor={first.json()['next_cursor']}",
        headers=officer,
    )
    async with runtime.sessions() as s:
        with pytest.raises(DBAPIError, match="append-only"):
            await s.execute(
                text("UPDATE ledger_entry SET amount = amount + 1 WHERE fiscal_year = :fy"),
                {"fy": fiscal_year},
            )
    async with runtime.sessions() as s:
        with pytest.raises(DBAPIError, match="append-only"):
            await s.execute(
                text("DELETE FROM ledger_entry WHERE fiscal_year = :fy"), {"fy": fiscal_year}
            )

    kinds = [e["kind"] for e in first.json()["items"] + rest.json()["items"]]
    assert kinds == ["appropriation", "allocation", "allocation", "allocation"]
    assert rest.json()["next_cursor"] is None
