"""Reference data (read by everyone, changed by funding officers with If-Match, audited),
dry-run estimates, and the filtered, paginated lists."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from funding.service_layer.obligate import request_funding
from services.funding.tests.integration.support import (
    ACTOR,
    country,
    course,
    funded,
    known,
    line_cost,
)
from tests.helpers.fixtures import auth

TODAY = datetime.now(UTC).date()
REF = "/api/v1/funding/reference"


def test_country() -> str:
    """Q.. codes are kept for tests that change reference data (random countries avoid them)."""
    return "Q" + "".join(random.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=2))


test_country.__test__ = False  # type: ignore[attr-defined]


async def _audit_rows(runtime: Any) -> int:
    async with runtime.sessions() as s:
        return int(
            (
                await s.execute(
                    select(func.count()).select_from(runtime.definition.tables.audit_log)
                )
            ).scalar_one()
        )


async def test_everyone_reads_the_tla_matrix_and_only_funding_officers_change_it_with_if_match(
    service_client: Any, token: Any
) -> None:
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    matrix = (await client.get(f"{REF}/tla-rates", headers=auth(token("vetter")))).json()["items"]
    # Off-post with dependents: a cell no other test costs with.
    cell = next(
        r
        for r in matrix
        if not r["government_quarters"] and not r["government_mess"] and r["with_dependents"]
    )
    path = f"{REF}/tla-rates/{cell['id']}"
    body = {"lodging_per_day": cell["lodging_per_day"], "meals_per_day": "81.00"}
    read = await client.get(path, headers=officer)
    etag = {"If-Match": read.headers["ETag"]}

    by_sco = await client.patch(path, json=body, headers=auth(token("sco", country="GTM")) | etag)
    blind = await client.patch(path, json=body, headers=officer)
    changed = await client.patch(path, json=body, headers=officer | etag)
    replayed = await client.patch(path, json=body, headers=officer | etag)
    trail = await client.get(
        f"/api/v1/funding/audit?entity_type=tla_rate&entity_id={cell['id']}",
        headers=auth(token("auditor")),
    )

    assert len(matrix) == 8
    assert (by_sco.status_code, blind.status_code, changed.status_code, replayed.status_code) == (
        403,
        428,
        200,
        412,
    )
    assert changed.json()["meals_per_day"] == "81.00"
    latest = trail.json()["items"][0]
    assert (
        latest["action"],
        latest["before"]["meals_per_day"],
        latest["after"]["meals_per_day"],
    ) == ("tla_rate.changed", cell["meals_per_day"], "81.00")
    assert latest["actor"].startswith("dev-")


async def test_a_country_travel_cost_replaces_the_default_in_estimates(
    service_client: Any, make_runtime: Any, token: Any, fiscal_year: int
) -> None:
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year, days=20), test_country()
    await known(runtime, c)
    estimate = {"class_id": str(c.class_id), "country": code}

    default = await client.post("/api/v1/funding/estimates", json=estimate, headers=officer)
    created = await client.put(
        f"{REF}/travel-costs/{code}", json={"amount": "1234.00"}, headers=officer
    )
    blind = await client.put(
        f"{REF}/travel-costs/{code}", json={"amount": "1300.00"}, headers=officer
    )
    own = await client.post("/api/v1/funding/estimates", json=estimate, headers=officer)

    assert (default.json()["travel"], default.json()["travel_is_default"]) == ("2800.00", True)
    assert default.json()["total"] == f"{line_cost(c):.2f}"
    assert (created.status_code, blind.status_code) == (201, 428)
    assert (own.json()["travel"], own.json()["travel_is_default"]) == ("1234.00", False)


async def test_an_estimate_costs_the_tla_options_and_changes_nothing(
    service_client: Any, make_runtime: Any, token: Any, fiscal_year: int
) -> None:
    client = await service_client("funding")
    runtime = await make_runtime("funding")
    c, code = course(fiscal_year, tuition="7000.00", days=30), country()
    await known(runtime, c)
    before = await _audit_rows(runtime)
    options = {
        "class_id": str(c.class_id),
        "country": code,
        "with_dependents": True,
        "government_quarters": True,
        "government_mess": False,
    }

    answer = await client.post(
        "/api/v1/funding/estimates", json=options, headers=auth(token("sco", country=code))
    )
    elsewhere = await client.post(
        "/api/v1/funding/estimates",
        json=options | {"country": country()},
        headers=auth(token("sco", country=code)),
    )

    living = answer.json()["living_allowance"]
    assert (living["lodging_per_day"], living["meals_per_day"], living["incidentals_per_day"]) == (
        "150.00",
        "80.00",
        "11.00",
    )
    assert (living["days"], living["total"]) == (30, "7230.00")
    assert (
        answer.json()["total"]
        == f"{Decimal('7000.00') + Decimal('2800.00') + Decimal('7230.00'):.2f}"
    )
    assert elsewhere.status_code == 403
    assert await _audit_rows(runtime) == before


async def test_penalty_rules_and_parameters_are_data_that_officers_change_within_bounds(
    service_client: Any, token: Any
) -> None:
    client, officer = await service_client("funding"), auth(token("funding_officer"))
    code = f"test_rule_{uuid.uuid4().hex[:8]}"
    rule = {
        "code": code,
        "description": "Inactive rule for a test",
        "trigger": "cancellation",
        "initiated_by": "country",
        "course_kind": "non_dedicated",
        "within_days_before_start": 14,
        "percent_of_tuition": "75.00",
        "priority": 25,
        "active": False,
    }

    added = await client.post(f"{REF}/penalty-rules", json=rule, headers=officer)
    again = await client.post(f"{REF}/penalty-rules", json=rule, headers=officer)
    update = {k: v for k, v in rule.items() if k != "code"} | {"percent_of_tuition": "70.00"}
    replaced = await client.put(
        f"{REF}/penalty-rules/{code}",
        json=update,
        headers=officer | {"If-Match": added.headers["ETag"]},
    )
    listed = await client.get(
        f"{REF}/penalty-rules?trigger=cancellation&active=true", headers=officer
    )
    pme = await client.get(f"{REF}/parameters/pme_minimum_percent", headers=officer)
    too_much = await client.patch(
        f"{REF}/parameters/pme_minimum_percent",
        json={"value": "150.00"},
        headers=officer | {"If-Match": pme.headers["ETag"]},
    )
    same = await client.patch(
        f"{REF}/parameters/pme_minimum_percent",
        json={"value": pme.json()["value"]},
        headers=officer | {"If-Match": pme.headers["ETag"]},
    )

    assert (added.status_code, again.status_code, replaced.status_code) == (201, 409, 200)
    assert replaced.json()["percent_of_tuition"] == "70.00"
    assert [r["code"] for r in listed.json()["items"]] == [
        "us_government_cancellation",
        "dedicated_course_cancellation",
        "late_cancellation",
    ]
    assert (too_much.status_code, too_much.json()["type"].rsplit("/", 1)[1]) == (
        422,
        "invalid-parameter",
    )
    assert same.status_code == 200
    assert same.headers["ETag"] != pme.headers["ETag"]


async def test_balances_requests_and_obligations_are_filtered_and_paginated(
    service_client: Any, make_runtime: Any, token: Any, fiscal_year: int
) -> None:
    client, auditor = await service_client("funding"), auth(token("auditor"))
    runtime = await make_runtime("funding")
    c, codes = course(fiscal_year, category="pme"), sorted(country() for _ in range(3))
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: line_cost(c) * 2 for code in codes})
    for code in codes:
        async with runtime.uow(ACTOR) as uow:
            await request_funding(uow, c.request(code), TODAY)

    first = await client.get(
        f"/api/v1/funding/balances?fiscal_year={fiscal_year}&limit=2", headers=auditor
    )
    second = await client.get(
        f"/api/v1/funding/balances?fiscal_year={fiscal_year}&limit=2"
        f"&cursor={first.json()['next_cursor']}",
        headers=auditor,
    )
    requests = await client.get(
        f"/api/v1/funding/requests?fiscal_year={fiscal_year}&status=obligated", headers=auditor
    )
    released = await client.get(
        f"/api/v1/funding/obligations?fiscal_year={fiscal_year}&status=released", headers=auditor
    )

    balances = first.json()["items"] + second.json()["items"]
    assert [b["country"] for b in balances] == codes
    assert second.json()["next_cursor"] is None
    assert {(b["pme_share"], b["available"]) for b in balances} == {
        ("0.5000", f"{line_cost(c):.2f}")
    }
    assert all(b["warnings"] == [] for b in balances)
    assert len(requests.json()["items"]) == 3
    assert released.json()["items"] == []
