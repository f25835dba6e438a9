"""The reports in every format: content negotiation, the domain tables as the rendering adapter's
tables, the chart of each report, file names; and the README's chart, drawn from a demo FMTR.

`IMET_WRITE_DOCS=1 .venv/bin/pytest services/reporting/tests/unit/test_formats.py` rewrites
docs/reports-fmtr-chart.svg from the demo table (the chart is deterministic)."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import threading
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from starlette.responses import Response

from reporting.adapters import rendering
from reporting.domain.errors import UnknownReportTable
from reporting.domain.fmtr import ACTIVITY_COLUMNS, COUNTRY_COLUMNS
from reporting.domain.report import Cell, Report, ReportTable, columns
from reporting.domain.turnaround import build_turnaround
from reporting.entrypoints.http.formats import (
    NotAcceptable,
    answer,
    chart_of,
    filename,
    negotiate,
    rendering_table,
    to_public,
)

DOCS_CHART = Path(__file__).resolve().parents[4] / "docs" / "reports-fmtr-chart.svg"

# A realistic program year: cost = tuition + travel + TLA + penalties
DEMO: tuple[tuple[str, str, str, int, int, str, str, str, str], ...] = (
    ("COL", "Colombia", "SOUTHCOM", 42, 51, "1184000.00", "214200.00", "301650.00", "0.00"),
    ("GTM", "Guatemala", "SOUTHCOM", 18, 20, "402500.00", "61200.00", "98400.00", "12800.00"),
    ("KEN", "Kenya", "AFRICOM", 25, 27, "655300.00", "148500.00", "176250.00", "0.00"),
    ("IDN", "Indonesia", "INDOPACOM", 31, 33, "866800.00", "231000.00", "214500.00", "9600.00"),
    ("JOR", "Jordan", "CENTCOM", 22, 26, "712400.00", "118300.00", "169000.00", "0.00"),
    ("PHL", "Philippines", "INDOPACOM", 28, 30, "690100.00", "202400.00", "183000.00", "4200.00"),
    ("SEN", "Senegal", "AFRICOM", 12, 12, "248700.00", "71400.00", "64800.00", "0.00"),
    ("VNM", "Viet Nam", "INDOPACOM", 9, 10, "214600.00", "52300.00", "56250.00", "7350.00"),
)


def demo_fmtr(fiscal_year: int = 2026) -> Report:
    rows: list[tuple[Cell, ...]] = []
    students = lines_total = 0
    sums = [D("0.00")] * 5
    for code, name, region, trained, lines, *money in DEMO:
        tuition, travel, tla, penalties = (D(m) for m in money)
        parts = [tuition, travel, tla, penalties, tuition + travel + tla + penalties]
        rows.append((code, name, region, trained, lines, *parts))
        students, lines_total = students + trained, lines_total + lines
        sums = [a + b for a, b in zip(sums, parts, strict=True)]
    totals: tuple[Cell, ...] = ("Total", None, None, students, lines_total, *sums)
    activity = ("GTM", "D171000", "Infantry Officer Basic", "MCoE", "Fort Benning, GA", 4,
                ("1st Infantry Battalion", "Aviation Squadron 2"), D("48000.00"))  # fmt: skip
    return Report(
        kind="fmtr",
        title=f"Foreign Military Training Report, fiscal year {fiscal_year}",
        tables=(
            ReportTable(
                "countries",
                "Students trained and cost per country",
                COUNTRY_COLUMNS,
                tuple(rows),
                totals,
            ),
            ReportTable("activities", "Training activities", ACTIVITY_COLUMNS, (activity,)),
        ),
        filters={
            "fiscal_year": fiscal_year,
            "include_excluded": False,
            "country": None,
            "region": None,
        },
        notes=("A student counts once per country however many courses they attended.",),
    )


@pytest.mark.parametrize(
    ("fmt", "accept", "chosen"),
    [
        (None, None, "json"),
        (None, "", "json"),
        (None, "*/*", "json"),
        (None, "text/html,application/xhtml+xml,*/*;q=0.8", "json"),
        (None, "application/pdf", "pdf"),
        (None, "text/csv;q=0.5, image/png", "png"),
        (None, "image/*", "svg"),
        (None, "IMAGE/SVG+XML", "svg"),
        (None, "application/pdf;q=0, text/csv", "csv"),
        ("csv", "application/pdf", "csv"),  # ?format= wins over Accept
    ],
)
def test_the_format_is_the_query_or_the_best_accepted_type(
    fmt: str | None, accept: str | None, chosen: str
) -> None:
    assert negotiate(fmt, accept) == chosen  # type: ignore[arg-type]


@pytest.mark.parametrize("accept", ["application/xml", "text/html", "image/gif;q=1, */*;q=0"])
def test_an_accept_header_naming_no_format_we_have_is_406(accept: str) -> None:
    with pytest.raises(NotAcceptable) as refused:
        negotiate(None, accept)

    assert refused.value.status == 406
    assert refused.value.extra["formats"] == ["json", "csv", "pdf", "svg", "png"]


def test_a_domain_table_becomes_a_rendering_table_with_totals_notes_and_kinds() -> None:
    table = rendering_table(demo_fmtr())

    assert table.title == "Foreign Military Training Report, fiscal year 2026"
    assert table.subtitle == "Students trained and cost per country · Fiscal year 2026"
    assert table.fiscal_year == 2026
    assert [c.kind for c in table.columns][3:6] == ["int", "int", "money"]
    assert table.rows[0]["total_cost"] == D("1699850.00")
    assert table.totals is not None
    assert table.totals["students_trained"] == 187
    assert table.notes[0].startswith("A student counts once")


def test_dates_and_numbers_render_and_an_unknown_table_is_422() -> None:
    report = Report("x", "X", (ReportTable("t", "T", columns(
        ("day", "Day", "date"), ("days", "Median days", "number")),
        ((date(2026, 1, 31), D("2.5")), (None, None))),))  # fmt: skip

    body, _ = rendering.render(rendering_table(report), "csv")

    assert body.decode().splitlines() == ["Day,Median days", "2026-01-31,2.5", ","]
    with pytest.raises(UnknownReportTable):
        rendering_table(report, "nope")


def test_the_units_of_an_activity_are_a_json_list_and_joined_in_csv() -> None:
    report = demo_fmtr()

    public = to_public(report).model_dump()
    body, _ = rendering.render(rendering_table(report, "activities"), "csv")

    assert public["tables"][1]["rows"][0]["units"] == ["1st Infantry Battalion",
                                                       "Aviation Squadron 2"]  # fmt: skip
    assert public["tables"][1]["columns"][6] == {"key": "units", "title": "Units",
                                                 "kind": "list"}  # fmt: skip
    header, row = csv.reader(io.StringIO(body.decode()))
    assert header[6] == "Units"
    assert row[6] == "1st Infantry Battalion; Aviation Squadron 2"


def test_every_report_has_its_chart() -> None:
    fmtr = chart_of(demo_fmtr())
    turnaround = chart_of(build_turnaround([], date(2026, 3, 20), {"fiscal_year": 2026}))

    assert fmtr.kind == "stacked_bar"
    assert fmtr.title == "Foreign Military Training Report, FY 2026: cost per country"
    assert fmtr.categories[:2] == ("Colombia", "Guatemala")
    assert list(fmtr.series) == ["Tuition", "Travel", "TLA", "Cancellation penalties"]
    assert turnaround.kind == "line"
    assert turnaround.categories == ()
    assert b"Vetting turnaround" in rendering.render(turnaround, "svg")[0]  # empty still draws


def test_files_are_named_after_the_report_its_filters_and_the_part() -> None:
    report = demo_fmtr()
    scoped = Report("vetting_turnaround", "V", report.tables,
                    {"fiscal_year": None, "country": "GTM"})  # fmt: skip

    assert filename(report, "countries", "pdf") == "fmtr-fy2026-countries.pdf"
    assert filename(scoped, "chart", "svg") == "vetting-turnaround-GTM-chart.svg"


def test_a_pdf_is_an_attachment_and_a_chart_is_inline() -> None:
    pdf = asyncio.run(answer(demo_fmtr(), "pdf", None))
    svg = asyncio.run(answer(demo_fmtr(), "svg", None))

    assert isinstance(pdf, Response)
    assert isinstance(svg, Response)
    assert bytes(pdf.body).startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="fmtr-fy2026-countries.pdf"'
    assert svg.headers["content-disposition"] == 'inline; filename="fmtr-fy2026-chart.svg"'
    assert svg.media_type == "image/svg+xml"


def test_the_readme_chart_is_the_demo_fmtr_chart() -> None:
    svg, _ = rendering.render(chart_of(demo_fmtr()), "svg")
    if os.environ.get("IMET_WRITE_DOCS") == "1":
        DOCS_CHART.write_bytes(svg)

    assert DOCS_CHART.exists(), "IMET_WRITE_DOCS=1 pytest this file writes it"
    assert b"cost per country" in DOCS_CHART.read_bytes()
    assert DOCS_CHART.read_bytes() == svg, "stale: rerun this test with IMET_WRITE_DOCS=1"


def test_files_are_drawn_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[bool] = []
    draw = rendering.render

    def recording(item: rendering.ReportTable | rendering.ChartSpec, fmt: str) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return draw(item, fmt)

    monkeypatch.setattr(rendering, "render", recording)
    for fmt in ("csv", "pdf", "png"):
        asyncio.run(answer(demo_fmtr(), fmt, None))

    assert threads == [False, False, False]
