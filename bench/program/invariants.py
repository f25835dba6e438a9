"""The correctness a program-year run must keep; a run that breaks one is a failed run.

Read through the gateway after every nomination settled (the same checks as the fault suite's
`tests/faults/business.py`, held to this program's oracle, `Plan`):
- exactly the planned nominations exist, each in a state its person allows: a denied person's
  `vetting_denied`, any other `ready_for_travel` or `waitlisted` (funding rejections were all
  retried);
- no class over capacity; per class the seats confirmed and waitlisted match the nominations;
- per country and fiscal year: active obligations = the balance's obligated amount = the
  ledger's obligation postings, never above the allocation; one obligation per nomination
  ready for travel; `/funding/consistency` ok for every fiscal year;
- messaging at rest: every outbox row published, every consumer at the end of its partitions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from bench.program.plan import Plan
from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, Driver


async def check(
    plan: Plan, driver: Driver, nominations: dict[str, list[int]], behind: list[str]
) -> list[str]:
    """Violations (empty: the run kept every invariant). `nominations`: id -> (person, class)
    as the load saw the imports answer; `behind`: what messaging left unsettled."""
    bad = [f"messaging not at rest: {b}" for b in behind[:5]]
    final = await _pages(driver, NOMINATIONS, "admin", {})
    if len(final) != len(plan.lines) or set(nominations) != {n["id"] for n in final}:
        bad.append(f"{len(final)} nominations exist, {len(plan.lines)} planned, "
                   f"{len(nominations)} imported")  # fmt: skip
    wrong = []
    per_class: dict[str, Counter[str]] = defaultdict(Counter)
    per_key: Counter[str] = Counter()
    for n in final:
        person, _ = nominations.get(n["id"], (None, None))
        denied = person is not None and plan.persons[person]["denied"]
        allowed = {"vetting_denied"} if denied else {"ready_for_travel", "waitlisted"}
        if person is None or n["status"] not in allowed:
            wrong.append((n["id"], n["status"], n["status_reason"]))
        per_class[n["class_id"]][n["status"]] += 1
        if n["status"] == "ready_for_travel":
            per_key[f"{n['country']}/{n['fiscal_year']}"] += 1
    if wrong:
        bad.append(f"{len(wrong)} nominations in a wrong final state, e.g. {wrong[:3]}")
    for klass in plan.classes:
        seats = await driver.call("GET", f"{CATALOG}/classes/{klass['id']}", "catalog_manager")
        c = per_class[klass["id"]]
        if seats["seats_held"] + seats["seats_confirmed"] > seats["capacity"]:
            bad.append(f"class {klass['id']} over capacity: {seats}")
        if (seats["seats_confirmed"], seats["seats_waitlisted"]) != (
            c["ready_for_travel"],
            c["waitlisted"],
        ):
            bad.append(f"class {klass['id']} seats {seats} do not match {dict(c)}")
    for key in plan.allocations:
        bad += await _money(driver, key, per_key[key])
    for fy in sorted({k["fiscal_year"] for k in plan.classes}):
        consistency = await driver.call("GET", f"{FUNDING}/consistency", "funding_officer",
                                        params={"fiscal_year": fy})  # fmt: skip
        if consistency["ok"] is not True:
            bad.append(f"funding consistency not ok for {fy}: {consistency}")
    return bad


async def _money(driver: Driver, key: str, funded: int) -> list[str]:
    country, fy = key.split("/")
    balance = await driver.balance(country, int(fy))
    active = await _pages(driver, f"{FUNDING}/obligations", "funding_officer",
                          {"country": country, "status": "active"})  # fmt: skip
    active = [o for o in active if int(o.get("fiscal_year", fy)) == int(fy)]
    query = {"country": country, "fiscal_year": fy, "kind": "obligation"}
    postings = await _pages(driver, f"{FUNDING}/ledger", "funding_officer", query)
    obligated = Decimal(balance["obligated"])
    bad = []
    if len(active) != funded:
        bad.append(f"{key}: {len(active)} active obligations, {funded} ready for travel")
    if sum((Decimal(o["amount"]) for o in active), Decimal(0)) != obligated:
        bad.append(f"{key}: obligations do not add up to the balance's {obligated}")
    if sum((Decimal(e["amount"]) for e in postings), Decimal(0)) != obligated:
        bad.append(f"{key}: ledger obligation postings do not add up to {obligated}")
    if obligated > Decimal(balance["allocated"]):
        bad.append(f"{key}: obligated {obligated} over the allocation {balance['allocated']}")
    return bad


async def _pages(driver: Driver, path: str, role: str, params: dict[str, Any]) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        query = {**params, "limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await driver.call("GET", path, role, params=query)
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items
