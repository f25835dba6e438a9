"""Country program planning through the gateway (issue 15, ADR 0115-0117): two countries plan,
one fails the PME check and is corrected, both are approved, nominations fill lines (one over
the quantity is held until a funding officer's exception), the year-end run moves unused
ceiling from one country to the other's priority-B PME line, and the ledger stays consistent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.e2e.driver import FUNDING, Driver, until

D = Decimal
PROGRAMS = f"{FUNDING}/programs"


async def _known_to_funding(driver: Driver, klass: dict[str, Any], country: str) -> Decimal:
    """Funding heard of the class (catalog events are asynchronous): its cost per student."""

    async def probe() -> Decimal | None:
        r = await driver.client.post(
            f"{FUNDING}/estimates",
            headers=driver.headers("funding_officer"),
            json={"class_id": klass["id"], "country": country},
        )
        return D(r.json()["total"]) if r.status_code == 200 else None

    cost: Decimal = await until(probe, what=f"funding knows class {klass['id']}")
    return cost


async def _funded(driver: Driver, country: str, klass: dict[str, Any]) -> dict[str, Any]:
    """Nominate, clear vetting, and wait for funding's decision on the request."""
    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")
    await driver.decide(nomination["id"], "approved")

    async def decided() -> dict[str, Any] | None:
        page = await driver.call(
            "GET", f"{FUNDING}/requests", "funding_officer",
            params={"nomination_id": nomination["id"]},
        )  # fmt: skip
        items = page["items"]
        waiting = ("pending_reference_data", "pending_availability")
        return items[0] if items and items[0]["status"] not in waiting else None

    request: dict[str, Any] = await until(decided, what=f"funding request of {nomination['id']}")
    return request | {"nomination": nomination}


def _line(program: dict[str, Any], wcn: str) -> dict[str, Any]:
    return next(ln for ln in program["lines"] if ln["work_control_number"] == wcn)


async def test_two_countries_plan_fill_lines_and_year_end_moves_unused_ceiling(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    a, b = await driver.country(), await driver.country()
    pme = await driver.course_with_class(capacity=10, tuition="20000.00", category="pme")
    tech = await driver.course_with_class(capacity=10, tuition="15000.00")
    fy = pme["fiscal_year"]
    assert tech["fiscal_year"] == fy
    await driver.appropriation(fy)
    alloc_a = await driver.allocation(a, fy, "120000.00")
    await driver.allocation(b, fy, "60000.00")
    pme_cost = await _known_to_funding(driver, pme, a)
    tech_cost = await _known_to_funding(driver, tech, a)

    # An SCO drafts its own country's program only.
    foreign = await gateway.post(
        PROGRAMS, headers=driver.headers("sco", b), json={"country": a, "fiscal_year": fy}
    )
    draft_a = await driver.call(
        "POST", PROGRAMS, "sco", a,
        json={"country": a, "fiscal_year": fy, "lines": [
            {"masl_id": pme["masl_id"], "quantity": 2, "priority": "A",
             "work_control_number": f"{a}-01"},
            {"masl_id": tech["masl_id"], "quantity": 1, "priority": "B",
             "work_control_number": f"{a}-02"},
        ]},
    )  # fmt: skip
    draft_b = await driver.call(
        "POST", PROGRAMS, "sco", b,
        json={"country": b, "fiscal_year": fy, "lines": [
            {"masl_id": pme["masl_id"], "quantity": 1, "priority": "A",
             "work_control_number": f"{b}-01"},
            {"masl_id": pme["masl_id"], "quantity": 2, "priority": "B",
             "work_control_number": f"{b}-02"},
        ]},
    )  # fmt: skip
    sco_approves = await gateway.post(
        f"{PROGRAMS}/{draft_a['id']}/approve", headers=driver.headers("sco", a)
    )

    # A: PME 2 x pme_cost of a 120000 ceiling is below 50%: refused, each failed check named.
    refused = await gateway.post(
        f"{PROGRAMS}/{draft_a['id']}/approve", headers=driver.headers("funding_officer")
    )
    await driver.call(
        "POST", f"{PROGRAMS}/{draft_a['id']}/lines", "sco", a,
        json={"masl_id": pme["masl_id"], "quantity": 1, "priority": "B",
              "work_control_number": f"{a}-03"},
    )  # fmt: skip
    approved_a = await driver.call("POST", f"{PROGRAMS}/{draft_a['id']}/approve", "funding_officer")
    approved_b = await driver.call("POST", f"{PROGRAMS}/{draft_b['id']}/approve", "funding_officer")

    # Nominations fill lines: B's PME student fills its A line; A's two technical students
    # meet a line of one - the second is held outside the program until an exception.
    filled_b = await _funded(driver, b, pme)
    filled_a = await _funded(driver, a, tech)
    held_a = await _funded(driver, a, tech)
    excepted = await driver.call(
        "POST", f"{FUNDING}/requests/{held_a['request_id']}/program-exception",
        "funding_officer", json={"reason": "e2e: one more seat agreed at the workshop"},
    )  # fmt: skip
    await driver.wait_status(held_a["nomination"]["id"], a, "ready_for_travel")
    execution_a = await driver.call("GET", f"{PROGRAMS}/{draft_a['id']}/execution", "sco", a)

    # A will not send its PME B student: the line is cancelled, its ceiling is unused.
    await driver.call(
        "PATCH", f"{PROGRAMS}/{draft_a['id']}/lines/{_line(approved_a, f'{a}-03')['id']}",
        "sco", a, json={"status": "cancelled"},
    )  # fmt: skip
    run = {"fiscal_year": fy, "reason": "e2e year end", "countries": [a, b]}
    dry = await driver.call(
        "POST", f"{FUNDING}/year-end-runs", "funding_officer", json=run | {"dry_run": True}
    )
    before = await driver.balance(a, fy)
    applied = await driver.call(
        "POST", f"{FUNDING}/year-end-runs", "funding_officer", json=run | {"dry_run": False}
    )
    after_a, after_b = await driver.balance(a, fy), await driver.balance(b, fy)
    history = await driver.call(
        "GET", f"{FUNDING}/allocations/{alloc_a['id']}/changes", "funding_officer"
    )
    consistency = await driver.call(
        "GET", f"{FUNDING}/consistency", "funding_officer", params={"fiscal_year": fy}
    )

    assert foreign.status_code == 403
    assert sco_approves.status_code == 403
    assert _line(draft_a, f"{a}-01")["unit_cost"] == f"{pme_cost:.2f}"
    assert _line(draft_a, f"{a}-02")["unit_cost"] == f"{tech_cost:.2f}"
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"].endswith("program-checks-failed")
    assert [(c["code"], c["value"], c["threshold"]) for c in problem["checks"]] == [
        ("pme_share", f"{pme_cost * 2:.2f}", "60000.00")
    ]
    assert approved_a["status"] == approved_b["status"] == "approved"
    assert D(approved_a["pme_total"]) == pme_cost * 3

    assert (filled_b["status"], filled_a["status"]) == ("obligated", "obligated")
    assert held_a["status"] == "pending_program_exception"
    assert excepted["status"] == "obligated"
    tech_line = next(ln for ln in execution_a["lines"] if ln["work_control_number"] == f"{a}-02")
    assert (tech_line["planned_quantity"], tech_line["filled"]) == (1, 1)
    assert D(tech_line["actual_obligated"]) == tech_cost
    assert D(tech_line["difference"]) == 0

    # unused(A) = 120000 - 2 x tech - 2 x pme (its A line, still expected); B is short by
    # 2 x pme (its B line) - (60000 - pme), and gets what A gave back, up to that.
    unused_a = D("120000.00") - 2 * tech_cost - 2 * pme_cost
    shortfall_b = 2 * pme_cost - (D("60000.00") - pme_cost)
    granted = min(unused_a, shortfall_b)
    assert D(dry["pulled_back"]) == unused_a
    assert dry["dry_run"] is True
    assert D(before["allocated"]) == D("120000.00")
    assert D(applied["pulled_back"]) == unused_a
    assert [
        (g["country"], g["work_control_number"], D(g["amount"])) for g in applied["grants"]
    ] == [(b, f"{b}-02", granted)]
    assert D(after_a["allocated"]) == D("120000.00") - unused_a
    assert D(after_b["allocated"]) == D("60000.00") + granted
    assert "year-end pull-back" in history["items"][-1]["reason"]
    assert consistency["ok"] is True
