"""The read model through the real consumer and broker, the reports over HTTP, and a rebuild
from the beginning of the topics that gives the same numbers."""

from __future__ import annotations

from typing import Any

import httpx

from imet.report_cli import download, query
from reporting.adapters.replay import rebuild
from services.reporting.tests.integration.support import (
    FY,
    Story,
    allocation,
    course,
    new_country,
    new_masl,
    publish,
)
from shared.runner import build_consumer
from tests.helpers.fixtures import auth, running
from tests.helpers.waiting import eventually

FMTR = "/api/v1/reports/fmtr"


async def _program(prefix: str, country: str, excluded: str) -> None:
    a, b = new_masl(), new_masl()
    s1 = Story(country, a).obligated("20000.00", "2500.00", "3500.00").trained()
    s1b = Story(country, b, candidate=s1.candidate).obligated("10000.00", "1000.00", "2000.00")
    s1b.trained()
    s2 = Story(country, a).obligated("20000.00", "2500.00", "3500.00").move("withdrawn")
    s2.released("16000.00", "10000.00", "withdrawn")
    s3 = Story(country, a).obligated("20000.00", "2500.00", "3500.00")
    s3.trained(completed=False, days=14).released("17625.00", "5000.00", "training_ended_early")
    s4 = Story(excluded, a).obligated("20000.00", "2500.00", "3500.00").trained()
    events = [course(a, "Infantry", "pme"), course(b, "Maintenance"),
              allocation(country, "100000.00")]  # fmt: skip
    for story in (s1, s1b, s2, s3, s4):
        events += story.events()
    await publish(prefix, events)


async def _fmtr(client: httpx.AsyncClient, token: Any, country: str) -> dict[str, Any]:
    r = await client.get(FMTR, params={"fiscal_year": FY, "country": country},
                         headers=auth(token("auditor")))  # fmt: skip
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_the_fmtr_counts_from_the_events_and_a_rebuild_gives_the_same_numbers(
    runtime: Any, client: httpx.AsyncClient, token: Any, topic_prefix: str
) -> None:
    country, excluded = new_country(), new_country()
    admin = auth(token("admin"))
    body = {"name": "Excludia", "region": "EUCOM", "fmtr_excluded": True}
    put = await client.put(f"/api/v1/reports/countries/{excluded}", headers=admin, json=body)
    assert put.status_code == 200, put.text

    async with running(build_consumer(runtime).run):
        await _program(topic_prefix, country, excluded)

        async def counted() -> dict[str, Any] | None:
            body = await _fmtr(client, token, country)
            rows = body["tables"][0]["rows"]
            done = rows and (rows[0]["total_cost"], rows[0]["students_trained"]) == ("57375.00", 2)
            return body if done and rows[0]["penalties"] == "10000.00" else None

        before = await eventually(counted, bool, what="the FMTR of the program", timeout=60)
    result = await rebuild(runtime)
    after = await _fmtr(client, token, country)
    hidden = await _fmtr(client, token, excluded)

    assert before["tables"][0]["rows"] == [{
        "country": country, "country_name": country, "region": "unassigned",
        "students_trained": 2, "training_lines": 3, "tuition": "35000.00", "travel": "6000.00",
        "living_allowance": "6375.00", "penalties": "10000.00", "total_cost": "57375.00",
    }]  # fmt: skip
    assert [(r["number_trained"], r["cost"]) for r in before["tables"][1]["rows"]] == [
        (2, "44375.00"), (1, "13000.00"),
    ] or [(r["number_trained"], r["cost"]) for r in before["tables"][1]["rows"]] == [
        (1, "13000.00"), (2, "44375.00"),
    ]  # fmt: skip
    assert after == before
    assert result.applied > 0
    assert hidden["tables"][0]["rows"] == []


async def test_status_names_the_newest_event_time_applied_per_topic(
    runtime: Any, client: httpx.AsyncClient, token: Any, topic_prefix: str
) -> None:
    country = new_country()
    async with running(build_consumer(runtime).run):
        await publish(topic_prefix, [course(new_masl()), allocation(country, "5.00"),
                                     *Story(country, new_masl()).vetted_events()])  # fmt: skip

        async def current() -> list[dict[str, Any]] | None:
            r = await client.get("/api/v1/reports/status", headers=auth(token("auditor")))
            topics = r.json()["topics"]
            return topics if all(t["newest_event_at"] for t in topics) else None

        topics = await eventually(current, bool, what="every topic applied", timeout=60)

    assert {t["topic"] for t in topics} == {
        "imet.catalog.events", "imet.funding.events", "imet.nomination.events",
        "imet.vetting.events",
    }  # fmt: skip


async def test_an_sco_reads_its_own_country_only_and_csv_is_one_table(
    client: httpx.AsyncClient, token: Any
) -> None:
    sco = auth(token("sco", country="GTM"))

    other = await client.get(FMTR, params={"fiscal_year": FY, "country": "KEN"}, headers=sco)
    own = await client.get(FMTR, params={"fiscal_year": FY, "format": "csv"}, headers=sco)
    vetter = await client.get(FMTR, params={"fiscal_year": FY}, headers=auth(token("vetter")))
    bad = await client.get(FMTR, params={"fiscal_year": FY, "format": "csv", "table": "nope"},
                           headers=sco)  # fmt: skip

    assert other.status_code == 403
    assert own.status_code == 200
    assert own.headers["content-type"].startswith("text/csv")
    assert own.text.splitlines()[0].startswith("Country,Country name,Region,Students trained")
    assert vetter.status_code == 403
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_only_an_administrator_changes_the_country_reference_data(
    client: httpx.AsyncClient, token: Any
) -> None:
    code = new_country()

    refused = await client.put(f"/api/v1/reports/countries/{code}",
                               headers=auth(token("auditor")),
                               json={"name": "X", "region": "AFRICOM"})  # fmt: skip
    invalid = await client.put("/api/v1/reports/countries/xx", headers=auth(token("admin")),
                               json={"name": "X", "region": "AFRICOM"})  # fmt: skip
    listed = await client.get("/api/v1/reports/countries", headers=auth(token("auditor")))

    assert refused.status_code == 403
    assert invalid.status_code == 422
    assert {"code": "NOR", "name": "Norway", "region": "EUCOM", "fmtr_excluded": True} in (
        listed.json()["items"]
    )


async def test_every_report_answers_in_every_format_with_its_file_name_and_roles_hold(
    client: httpx.AsyncClient, token: Any
) -> None:
    sco, auditor = auth(token("sco", country="GTM")), auth(token("auditor"))
    paths = ("fmtr", "funnel", "utilization", "vetting-turnaround")
    params = {"fiscal_year": FY}
    media = {"csv": "text/csv", "pdf": "application/pdf", "svg": "image/svg+xml",
             "png": "image/png"}  # fmt: skip

    answers = {(p, f): await client.get(f"/api/v1/reports/{p}", headers=sco,
                                        params={**params, "format": f})
               for p in paths for f in media}  # fmt: skip
    by_accept = await client.get(
        FMTR, params=params, headers={**auditor, "Accept": "application/pdf"}
    )
    refused = await client.get(
        FMTR, params=params, headers={**auditor, "Accept": "application/xml"}
    )
    unknown = await client.get(FMTR, params={**params, "format": "xlsx"}, headers=auditor)
    other = await client.get(FMTR, params={**params, "country": "KEN", "format": "pdf"},
                             headers=sco)  # fmt: skip
    vetter = await client.get(FMTR, params={**params, "format": "svg"},
                              headers=auth(token("vetter")))  # fmt: skip
    svg_of_table = {"format": "svg", "table": "by_country"}
    chart_of_a_table = await client.get("/api/v1/reports/funnel", headers=auditor,
                                        params=svg_of_table)  # fmt: skip

    assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 200)
    assert {k: r.headers["content-type"].split(";")[0] for k, r in answers.items()} == {
        (p, f): media[f] for p, f in answers
    }
    assert answers[("fmtr", "pdf")].content.startswith(b"%PDF")
    assert answers[("fmtr", "pdf")].headers["content-disposition"] == (
        f'attachment; filename="fmtr-fy{FY}-GTM-countries.pdf"'
    )
    assert answers[("vetting-turnaround", "png")].headers["content-disposition"] == (
        f'inline; filename="vetting-turnaround-fy{FY}-GTM-chart.png"'
    )
    assert b"Pipeline funnel" in answers[("funnel", "svg")].content
    assert by_accept.headers["content-type"] == "application/pdf"
    assert by_accept.headers["vary"] == "Accept"
    assert (refused.status_code, unknown.status_code) == (406, 422)
    for problem in (refused, unknown):
        assert problem.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["formats"] == ["json", "csv", "pdf", "svg", "png"]
    assert (other.status_code, vetter.status_code) == (403, 403)
    assert chart_of_a_table.status_code == 200  # the chart is the report's, `table` aside


async def test_the_cli_downloads_what_the_routes_answer_and_names_the_file(
    client: httpx.AsyncClient, token: Any
) -> None:
    sco = auth(token("sco", country="GTM"))

    pdf = await download(client, "fmtr", query("pdf", FY, None, None, False, None), sco)
    chart = await download(client, "turnaround", query("svg", FY, "GTM", None, False, None), sco)
    refused = await download(client, "fmtr", query("csv", FY, "KEN", None, False, None), sco)

    assert (pdf.ok, pdf.media_type, pdf.filename) == (
        True, "application/pdf", f"fmtr-fy{FY}-GTM-countries.pdf",
    )  # fmt: skip
    assert b"Vetting turnaround" in chart.body
    assert (refused.ok, refused.status) == (False, 403)
