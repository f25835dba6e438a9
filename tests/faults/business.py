"""The business invariants every fault scenario ends with, read through the gateway and held
to the program's oracle (`Program.expected`, `Shape`):
- every nomination in its correct final state: a denied person's -> `vetting_denied`; any
  other -> ready_for_travel, funding_rejected (insufficient_funds) or waitlisted; exactly the
  imported nominations exist (a retried import created nothing twice);
- no class over capacity; per class the seats held/confirmed/waitlisted match the nominations,
  and exactly `min(capacity, approved)` are seated;
- per country `min(seated, affordable)` are funded; active obligations = the balance's
  obligated amount = the ledger's obligation postings; `/funding/consistency` ok.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from tests.e2e.driver import CATALOG, FUNDING
from tests.faults.invariants import Findings
from tests.faults.program import Program


async def check_business(program: Program, final: list[dict[str, Any]], f: Findings) -> None:
    d, shape = program.driver, program.shape
    by_id = {n["id"]: n for n in final}
    f.check(len(final) == len(program.expected),
            f"{len(final)} nominations exist, {len(program.expected)} were imported")  # fmt: skip
    wrong = []
    for nid, (_, _, denied) in program.expected.items():
        n = by_id.get(nid)
        status = n["status"] if n else "missing"
        allowed = {"vetting_denied"} if denied else {"ready_for_travel", "funding_rejected",
                                                     "waitlisted"}  # fmt: skip
        if status not in allowed or (
            status == "funding_rejected" and n and n["status_reason"] != "insufficient_funds"
        ):
            wrong.append((nid, status, n and n["status_reason"]))
    f.check(not wrong, f"{len(wrong)} nominations in a wrong final state, e.g. {wrong[:3]}")
    per_class: dict[str, Counter[str]] = defaultdict(Counter)
    per_country: dict[str, Counter[str]] = defaultdict(Counter)
    for n in final:
        per_class[n["class_id"]][n["status"]] += 1
        per_country[n["country"]][n["status"]] += 1
    for klass in program.classes:
        seats = await d.call("GET", f"{CATALOG}/classes/{klass['id']}", "catalog_manager")
        c = per_class[klass["id"]]
        approved = c["ready_for_travel"] + c["funding_rejected"] + c["waitlisted"]
        seated = c["ready_for_travel"] + c["funding_rejected"]
        f.check(seats["seats_held"] + seats["seats_confirmed"] <= seats["capacity"],
                f"class {klass['id']} over capacity: {seats}")  # fmt: skip
        f.check(
            (seats["seats_confirmed"], seats["seats_held"], seats["seats_waitlisted"])
            == (c["ready_for_travel"], c["funding_rejected"], c["waitlisted"]),
            f"class {klass['id']} seats {seats} do not match its nominations {dict(c)}",
        )
        f.check(seated == min(shape.capacity, approved),
                f"class {klass['id']}: {seated} seated of {approved} approved")  # fmt: skip
    for country in program.countries:
        c = per_country[country]
        seated = c["ready_for_travel"] + c["funding_rejected"]
        f.check(c["ready_for_travel"] == min(seated, shape.affordable),
                f"{country}: {c['ready_for_travel']} funded of {seated} seated")  # fmt: skip
        await _check_money(program, country, c["ready_for_travel"], f)
    consistency = await d.call("GET", f"{FUNDING}/consistency", "funding_officer",
                               params={"fiscal_year": program.fiscal_year})  # fmt: skip
    f.check(consistency["ok"] is True, f"funding consistency not ok: {consistency}")


async def _pages(program: Program, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await program.driver.call("GET", path, "funding_officer", params=query)
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


async def _check_money(program: Program, country: str, funded: int, f: Findings) -> None:
    fy = program.fiscal_year
    balance = await program.driver.balance(country, fy)
    active = await _pages(program, f"{FUNDING}/obligations",
                          {"country": country, "status": "active"})  # fmt: skip
    postings = await _pages(
        program, f"{FUNDING}/ledger", {"country": country, "fiscal_year": fy, "kind": "obligation"}
    )
    obligated = Decimal(balance["obligated"])
    f.check(len(active) == funded, f"{country}: {len(active)} active obligations, {funded} funded")
    f.check(sum((Decimal(o["amount"]) for o in active), Decimal(0)) == obligated,
            f"{country}: obligations do not add up to the balance's {obligated}")  # fmt: skip
    f.check(sum((Decimal(e["amount"]) for e in postings), Decimal(0)) == obligated,
            f"{country}: ledger obligation postings do not add up to {obligated}")  # fmt: skip
    f.check(obligated <= Decimal(balance["allocated"]), f"{country}: obligated over allocation")
