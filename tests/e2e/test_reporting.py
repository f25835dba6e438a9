"""Issue 13 through the gateway: a small program year (41 nominations in 8 countries: a
student in two courses, a withdrawal after funding with a penalty, a denial, a terminated
student, nominations still waiting for training, an excluded country) and the FMTR compared
cell by cell with what the test computes itself from the funding service's obligations and
what it did; the read model catches up after a stop and restart, and `imet reporting rebuild`
gives the same numbers."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from pypdf import PdfReader

from imet.stack import Stack
from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, Driver, until
from tests.helpers.timing import scaled

REPORTS = "/api/v1/reports"
PER_COUNTRY = 5
ZERO = Decimal("0.00")


async def _train(driver: Driver, n: dict[str, Any], country: str, *, days: int | None = None):
    await driver.call("POST", f"{NOMINATIONS}/{n['id']}/ito", "sco", country)
    await driver.call("POST", f"{NOMINATIONS}/{n['id']}/start-training", "sco", country)
    if days is None:
        await driver.call("POST", f"{NOMINATIONS}/{n['id']}/complete", "sco", country)
        return await driver.wait_status(n["id"], country, "completed")
    ended_on = (driver.today + timedelta(days=20)).isoformat()
    body = {"reason": "Returned home", "days_attended": days, "ended_on": ended_on}
    await driver.call("POST", f"{NOMINATIONS}/{n['id']}/terminate", "sco", country, json=body)
    return await driver.wait_compensated(n["id"], country, "deobligation")


async def _again(driver: Driver, country: str, first: dict[str, Any], klass: dict[str, Any]):
    """The same candidate nominated for a second course."""
    screening = {"recorded_on": driver.today.isoformat(), "reference": "E2E-2ND"}
    draft = await driver.call("POST", NOMINATIONS, "sco", country, json={
        "candidate_id": first["candidate_id"], "class_id": klass["id"],
        "masl_id": klass["masl_id"], "fiscal_year": klass["fiscal_year"],
        "funding_source": "imet", "medical_clearance": screening,
        "security_screening": screening,
    })  # fmt: skip
    return await driver.submit(draft["id"], country)


async def _ready(driver: Driver, n: dict[str, Any], country: str) -> None:
    await driver.wait_status(n["id"], country, "vetting")
    await driver.decide(n["id"], "approved")
    await driver.wait_status(n["id"], country, "ready_for_travel")


async def _country_program(
    driver: Driver, country: str, k1: dict[str, Any], k2: dict[str, Any], special: bool
) -> dict[str, list[dict[str, Any]]]:
    """Nominations of one country by what happened to them."""
    # each candidate of its own unit: the FMTR lists the units of the students trained
    noms = [{**await driver.nominate(country, k1, unit=f"Unit {i}"), "unit": f"Unit {i}"}
            for i in range(PER_COUNTRY)]  # fmt: skip
    done: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if special:
        await driver.wait_status(noms[0]["id"], country, "vetting")
        await driver.decide(noms[0]["id"], "denied", reason_code="derogatory_information")
        await driver.wait_status(noms[0]["id"], country, "vetting_denied")
        done["denied"].append(noms[0])
        for n in noms[1:]:
            await _ready(driver, n, country)
        await driver.call("POST", f"{NOMINATIONS}/{noms[1]['id']}/withdraw", "sco", country,
                          json={"reason": "recalled"})  # fmt: skip
        await driver.wait_compensated(noms[1]["id"], country, "deobligation")
        done["withdrawn"].append(noms[1])
        await _train(driver, noms[2], country, days=14)
        done["terminated"].append(noms[2])
        for n in noms[3:]:
            await _train(driver, n, country)
            done["completed"].append(n)
        second = await _again(driver, country, noms[3], k2)
        # Vetting reuses the candidate's still-valid approval at once.
        await driver.wait_status(second["id"], country, "ready_for_travel")
        await _train(driver, second, country)
        done["completed"].append({**second, "candidate_id": noms[3]["candidate_id"],
                                  "unit": noms[3]["unit"]})  # fmt: skip
        return done
    for n in noms:
        await _ready(driver, n, country)
    for n in noms[:-1]:
        await _train(driver, n, country)
        done["completed"].append(n)
    done["waiting"].append(noms[-1])
    return done


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


async def _expected(
    driver: Driver,
    fy: int,
    outcomes: dict[str, dict[str, list[dict[str, Any]]]],
    courses: dict[str, dict[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
    """Every FMTR cell of our countries, computed here from the obligations and the outcomes."""
    countries: dict[str, dict[str, Any]] = {}
    activities: dict[tuple[str, str], dict[str, Any]] = {}
    for country, done in outcomes.items():
        params = {"country": country, "fiscal_year": fy, "limit": 100}
        page = await driver.call("GET", f"{FUNDING}/obligations", "funding_officer", params=params)
        by_nomination = {o["nomination_id"]: o for o in page["items"]}
        row = {"students": set(), "lines": 0, "tuition": ZERO, "travel": ZERO, "tla": ZERO,
               "penalties": ZERO}  # fmt: skip
        for kind, noms in done.items():
            for n in noms:
                ob = by_nomination.get(n["id"])
                if ob is None:
                    assert kind == "denied", f"{kind} {n['id']} has no obligation"
                    continue
                amount, tuition = _money(ob["amount"]), _money(ob["tuition"])
                travel, tla = _money(ob["travel"]), _money(ob["living_allowance"])
                penalty, returned = _money(ob["penalty_amount"]), _money(ob["returned_amount"])
                key = (country, ob["masl_id"])
                act = activities.setdefault(key, {"students": set(), "units": set(),
                                                  "cost": ZERO})  # fmt: skip
                if kind == "withdrawn":
                    assert penalty == tuition / 2  # 50%: the country withdrew < 60 days before
                    row["penalties"] += penalty
                    act["cost"] += penalty
                    continue
                if kind != "completed" and kind != "terminated":
                    continue
                row["students"].add(n["candidate_id"])
                act["students"].add(n["candidate_id"])
                act["units"].add(n["unit"])
                row["lines"] += 1
                if kind == "completed":
                    row["tuition"] += tuition
                    row["travel"] += travel
                    row["tla"] += tla
                    act["cost"] += amount
                else:
                    prorated = (tuition * 14 / ob["course_days"]).quantize(Decimal("0.01"))
                    assert penalty == prorated
                    kept_tla = amount - returned - penalty - travel
                    row["tuition"] += penalty
                    row["travel"] += travel
                    row["tla"] += kept_tla
                    act["cost"] += penalty + travel + kept_tla
        countries[country] = {
            "students_trained": len(row["students"]), "training_lines": row["lines"],
            "tuition": str(row["tuition"]), "travel": str(row["travel"]),
            "living_allowance": str(row["tla"]), "penalties": str(row["penalties"]),
            "total_cost": str(row["tuition"] + row["travel"] + row["tla"] + row["penalties"]),
        }  # fmt: skip
    expected_activities = {
        key: {
            "title": courses[key[1]]["title"], "schoolhouse": courses[key[1]]["school"],
            "location": courses[key[1]]["location"], "number_trained": len(a["students"]),
            "units": sorted(a["units"]), "cost": str(a["cost"]),
        }
        for key, a in activities.items()
    }  # fmt: skip
    return countries, expected_activities


async def _fmtr(driver: Driver, fy: int, **params: Any) -> dict[str, Any]:
    return dict(await driver.call("GET", f"{REPORTS}/fmtr", "auditor",
                                  params={"fiscal_year": fy, **params}))  # fmt: skip


def _ours(report: dict[str, Any], countries: set[str]) -> tuple[dict[str, Any], dict[Any, Any]]:
    rows = {r["country"]: {k: v for k, v in r.items()
                           if k not in ("country", "country_name", "region")}
            for r in report["tables"][0]["rows"] if r["country"] in countries}  # fmt: skip
    acts = {(r["country"], r["masl_id"]): {k: v for k, v in r.items()
                                           if k not in ("country", "masl_id")}
            for r in report["tables"][1]["rows"] if r["country"] in countries}  # fmt: skip
    return rows, acts


async def _matches(driver: Driver, fy: int, countries: dict[str, Any], acts: dict[Any, Any]):
    async def probe() -> dict[str, Any] | None:
        report = await _fmtr(driver, fy)
        got = _ours(report, set(countries))
        return report if got == (countries, acts) else None

    try:
        return await until(probe, what="the FMTR equal to the computed one", timeout=90)
    except AssertionError:
        got = _ours(await _fmtr(driver, fy), set(countries))
        assert got == (countries, acts)  # shows the difference
        raise


async def test_the_fmtr_of_a_program_year_matches_every_cell_computed_independently(
    gateway: httpx.AsyncClient, e2e_token: Any, stack: Stack
) -> None:
    driver = Driver(gateway, e2e_token)
    k1 = await driver.course_with_class(capacity=60, tuition="20000.00", start_in_days=40)
    k2 = await driver.course_with_class(capacity=10, tuition="12000.00", start_in_days=40)
    fy = k1["fiscal_year"]
    await driver.appropriation(fy, amount="900000000.00")
    codes = [await driver.country() for _ in range(8)]
    excluded, included = codes[-1], codes[:-1]
    regions = {code: "AFRICOM" if i < 4 else "SOUTHCOM" for i, code in enumerate(included)}
    for code in codes:
        await driver.allocation(code, fy, "1000000.00")
        await driver.call("PUT", f"{REPORTS}/countries/{code}", "admin", json={
            "name": f"Testland {code}", "region": regions.get(code, "EUCOM"),
            "fmtr_excluded": code == excluded,
        })  # fmt: skip
    courses = {}
    for k in (k1, k2):
        c = await driver.call("GET", f"{CATALOG}/courses/{k['masl_id']}", "catalog_manager")
        courses[k["masl_id"]] = {"title": c["title"], "school": c["institution"]["name"],
                                 "location": c["institution"]["location"]}  # fmt: skip

    programs = await asyncio.gather(*(
        _country_program(driver, code, k1, k2, special=i == 0) for i, code in enumerate(codes)
    ))  # fmt: skip
    outcomes = dict(zip(codes, programs, strict=True))
    total = sum(len(v) for done in programs for v in done.values())
    expected, activities = await _expected(driver, fy, {c: outcomes[c] for c in included}, courses)
    report = await _matches(driver, fy, expected, activities)
    with_excluded = await _fmtr(driver, fy, include_excluded="true")
    africom = await _fmtr(driver, fy, region="AFRICOM")
    sco_own = await driver.call("GET", f"{REPORTS}/fmtr", "sco", included[1],
                                params={"fiscal_year": fy})  # fmt: skip
    other = {"fiscal_year": fy, "country": included[2]}
    sco = driver.headers("sco", included[1])
    sco_other = await gateway.get(f"{REPORTS}/fmtr", params=other, headers=sco)

    assert total == 8 * PER_COUNTRY + 1
    assert excluded not in {r["country"] for r in report["tables"][0]["rows"]}
    assert excluded in {r["country"] for r in with_excluded["tables"][0]["rows"]}
    assert {r["country"] for r in africom["tables"][0]["rows"]} == set(included[:4])
    assert [r["country"] for r in sco_own["tables"][0]["rows"]] == [included[1]]
    assert sco_other.status_code == 403
    first = expected[included[0]]
    assert (first["students_trained"], first["training_lines"]) == (3, 4)  # 2 courses, 1 once

    # Stopped, the read model falls behind; restarted, it catches up.
    stack.stop_instance("reporting")
    late = outcomes[included[1]]["waiting"][0]
    await _train(driver, late, included[1])
    outcomes[included[1]]["completed"].append(late)
    outcomes[included[1]]["waiting"].clear()
    stack.restart_instance("reporting")
    expected, activities = await _expected(driver, fy, {c: outcomes[c] for c in included}, courses)
    caught_up = await _matches(driver, fy, expected, activities)

    # A rebuild from the beginning of the topics gives the same numbers.
    env = stack.service_env("reporting")
    rebuilt = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "imet", "reporting", "rebuild"],
        env={**env, "COLUMNS": "100"}, capture_output=True, text=True,
        timeout=scaled(180), check=False, cwd=os.getcwd(),
    )  # fmt: skip
    after = await _fmtr(driver, fy)
    status = await driver.call("GET", f"{REPORTS}/status", "auditor")

    one, two = included[0], included[1]
    util = await driver.call("GET", f"{REPORTS}/utilization", "funding_officer",
                             params={"fiscal_year": fy, "country": one})  # fmt: skip
    wanted = {"country": one, "fiscal_year": fy, "limit": 100}
    obligations = await driver.call(
        "GET", f"{FUNDING}/obligations", "funding_officer", params=wanted
    )
    held = sum(_money(o["amount"]) - _money(o["returned_amount"]) - _money(o["lapsed_amount"])
               for o in obligations["items"])  # fmt: skip
    turnaround = await driver.call("GET", f"{REPORTS}/vetting-turnaround", "auditor",
                                   params={"country": one})  # fmt: skip
    funnel = await driver.call("GET", f"{REPORTS}/funnel", "auditor",
                               params={"country": two, "fiscal_year": fy})  # fmt: skip

    # `imet report` through the gateway: the dev stack's (var/run/stack.json, its dev key) or one
    # given with a token; a PDF of one country's row, the FMTR chart as SVG
    files = stack.options.var / "reports"
    files.mkdir(exist_ok=True)
    pdf_run, svg_run = await asyncio.gather(*(asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "imet", "report", "fmtr", "--fy", str(fy), *args],
        env={**os.environ, "IMET_VAR_DIR": str(stack.options.var), "COLUMNS": "100"},
        capture_output=True, text=True, timeout=scaled(60), check=False, cwd=os.getcwd(),
    ) for args in (
        ["--country", one, "--format", "pdf", "--out", str(files / "fmtr.pdf")],
        ["--format", "svg", "--out", str(files / "fmtr.svg"), "--gateway", stack.gateway_url,
         "--token", e2e_token("auditor")],
    )))  # fmt: skip
    row_one = next(r for r in after["tables"][0]["rows"] if r["country"] == one)
    pdf_text = "".join(page.extract_text() for page in PdfReader(files / "fmtr.pdf").pages)

    assert (pdf_run.returncode, svg_run.returncode) == (0, 0), pdf_run.stderr + svg_run.stderr
    assert f"{Decimal(row_one['total_cost']):,.2f}" in pdf_text
    assert f"Testland {one}" in pdf_text
    assert f"Foreign Military Training Report, FY {fy}: cost per country" in (
        (files / "fmtr.svg").read_text()
    )
    assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
    u = util["tables"][0]["rows"][0]
    assert (u["allocated"], u["obligated"]) == ("1000000.00", str(held))
    assert _money(u["available"]) == Decimal("1000000.00") - held
    opened = sum(r["opened"] for r in turnaround["tables"][0]["rows"])
    decided = sum(r["decided"] for r in turnaround["tables"][0]["rows"])
    assert (opened, decided) == (PER_COUNTRY + 1, PER_COUNTRY + 1)  # the 2nd course reused
    assert {r["state"]: r["nominations"] for r in funnel["tables"][1]["rows"]} == {
        "completed": PER_COUNTRY
    }
    assert "rebuilt:" in rebuilt.stdout
    assert _ours(after, set(included)) == _ours(caught_up, set(included))
    assert expected[included[1]]["students_trained"] == PER_COUNTRY
    assert all(t["newest_event_at"] for t in status["topics"])


async def test_the_other_reports_answer_through_the_gateway_with_roles(
    gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)

    answers = {
        path: await gateway.get(f"{REPORTS}/{path}", headers=driver.headers("funding_officer"))
        for path in ("funnel", "utilization", "vetting-turnaround", "status")
    }
    csv = await gateway.get(f"{REPORTS}/funnel", params={"format": "csv"},
                            headers=driver.headers("auditor"))  # fmt: skip
    wants_pdf = {**driver.headers("auditor"), "Accept": "application/pdf"}
    pdf = await gateway.get(f"{REPORTS}/funnel", headers=wants_pdf)
    vetter = await gateway.get(f"{REPORTS}/funnel", headers=driver.headers("vetter"))
    anonymous = await gateway.get(f"{REPORTS}/funnel")

    assert {p: r.status_code for p, r in answers.items()} == dict.fromkeys(answers, 200)
    assert csv.text.startswith("State,Nominations,Median days in state")
    assert pdf.content.startswith(b"%PDF")  # Accept reaches the service through the gateway
    assert pdf.headers["content-disposition"] == 'attachment; filename="funnel-states.pdf"'
    assert vetter.status_code == 403
    assert anonymous.status_code == 401
