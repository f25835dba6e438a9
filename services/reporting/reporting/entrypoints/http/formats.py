"""A report in the format the caller asks for: JSON, or a table as CSV or PDF, or its chart as
SVG or PNG (ADR 0136).

The one place where the service's reports (`reporting.domain.report`) become what the rendering
adapter draws (`reporting.adapters.rendering`: `ReportTable`, `ChartSpec`): rendering knows no
report, the domain knows no format. Which chart each report has is decided here too:

| report             | chart                                                       |
|--------------------|-------------------------------------------------------------|
| fmtr               | stacked bars: tuition, travel, TLA, penalties per country   |
| funnel             | bars: nominations per state                                 |
| utilization        | grouped bars: allocated vs obligated per country (and FY)   |
| vetting_turnaround | lines: median and p90 working days to decision per month    |

The format is `?format=` when given, else the best match of the `Accept` header (`*/*` or no
header: JSON); an `Accept` that names none of them is 406 problem+json. Every file is drawn in
a worker thread (`asyncio.to_thread`): a long report never stalls the event loop (a PDF of
5,000 activity rows takes ~7 s; meanwhile the loop's longest pause measured 60 ms).
"""

from __future__ import annotations

import asyncio
import math
import re
from datetime import date
from decimal import Decimal
from typing import Final, Literal, get_args

from starlette.responses import Response

from reporting.adapters import rendering
from reporting.domain.errors import UnknownReportTable
from reporting.domain.report import Cell, ColumnKind, Report, ReportTable
from reporting.entrypoints.http.schemas.reports import (
    ColumnPublic,
    JsonCell,
    ReportPublic,
    TablePublic,
)
from shared.errors import DomainError

Format = Literal["json", "csv", "pdf", "svg", "png"]
FORMATS: Final[tuple[str, ...]] = get_args(Format)
CHART_FORMATS: Final = ("svg", "png")
MEDIA_TYPES: Final[dict[str, str]] = {
    "application/json": "json",
    "text/csv": "csv",
    "application/pdf": "pdf",
    "image/svg+xml": "svg",
    "image/png": "png",
}
# a wildcard in Accept: the format it stands for
_WILDCARDS: Final[dict[str, str]] = {"*/*": "json", "application/*": "json", "text/*": "csv",
                                     "image/*": "svg"}  # fmt: skip
_KINDS: Final[dict[ColumnKind, rendering.ColumnKind]] = {
    "text": "text",
    "integer": "int",
    "number": "number",
    "money": "money",
    "percent": "percent",
    "date": "text",
    "list": "text",  # joined with "; " (CSV), wrapped (PDF)
}
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class NotAcceptable(DomainError):
    code = "not-acceptable"
    status = 406
    title = "None of the accepted media types is available"


# --- content negotiation --------------------------------------------------------------------


def _accepted(accept: str) -> list[tuple[float, int, str]]:
    ranges = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media and math.isfinite(q) and q > 0:
            ranges.append((-q, i, media.lower()))
    return sorted(ranges)


def negotiate(fmt: Format | None, accept: str | None) -> Format:
    """`?format=` wins; else the `Accept` header's best type we have; no header: JSON."""
    if fmt is not None:
        return fmt
    if not accept or not accept.strip():
        return "json"
    for _, _, media in _accepted(accept):
        found = MEDIA_TYPES.get(media) or _WILDCARDS.get(media)
        if found:
            return found  # type: ignore[return-value]  # a value of MEDIA_TYPES: a Format
    raise NotAcceptable(
        "The reports are available as " + ", ".join(MEDIA_TYPES) + " (or ?format=json|csv|pdf|"
        "svg|png).",
        formats=list(FORMATS),
    )


# --- JSON (the whole report) ----------------------------------------------------------------


def cell(value: Cell) -> JsonCell:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _table(t: ReportTable) -> TablePublic:
    return TablePublic(
        name=t.name,
        title=t.title,
        columns=[ColumnPublic(key=c.key, title=c.title, kind=c.kind) for c in t.columns],
        rows=[{k: cell(v) for k, v in zip(t.keys, row, strict=True)} for row in t.rows],
        totals=None if t.totals is None else {
            k: cell(v) for k, v in zip(t.keys, t.totals, strict=True)
        },
    )  # fmt: skip


def to_public(report: Report) -> ReportPublic:
    return ReportPublic(
        kind=report.kind,
        title=report.title,
        filters=dict(report.filters),
        notes=list(report.notes),
        tables=[_table(t) for t in report.tables],
    )


# --- a table for CSV and PDF ----------------------------------------------------------------


def pick_table(report: Report, name: str | None) -> ReportTable:
    names = [t.name for t in report.tables]
    chosen = name or names[0]
    if chosen not in names:
        raise UnknownReportTable(f"{report.kind} has the tables {', '.join(names)}, not {chosen!r}")
    return report.table(chosen)


def _rendered_cell(value: Cell) -> object:
    if isinstance(value, tuple):
        return "; ".join(value)
    return value.isoformat() if isinstance(value, date) else value


def _subtitle(report: Report, table: ReportTable) -> str:
    shown = {"country": "Country", "region": "Region", "fiscal_year": "Fiscal year"}
    parts = [table.title]
    parts += [f"{label} {report.filters[key]}" for key, label in shown.items()
              if report.filters.get(key) not in (None, "")]  # fmt: skip
    if report.filters.get("include_excluded"):
        parts.append("excluded countries included")
    return " · ".join(parts)


def rendering_table(report: Report, name: str | None = None) -> rendering.ReportTable:
    """One of the report's tables as the rendering adapter's table (totals and notes kept)."""
    t = pick_table(report, name)
    columns = tuple(rendering.Column(c.key, c.title, _KINDS[c.kind]) for c in t.columns)
    fy = report.filters.get("fiscal_year")
    return rendering.ReportTable(
        title=report.title,
        subtitle=_subtitle(report, t),
        columns=columns,
        rows=tuple(
            {k: _rendered_cell(v) for k, v in zip(t.keys, row, strict=True)} for row in t.rows
        ),
        totals=None
        if t.totals is None
        else {k: _rendered_cell(v) for k, v in zip(t.keys, t.totals, strict=True)},
        notes=report.notes,
        fiscal_year=fy if isinstance(fy, int) and not isinstance(fy, bool) else None,
    )


# --- the chart of each report ---------------------------------------------------------------


def _number(value: Cell) -> Decimal | int:
    return value if isinstance(value, Decimal | int) and not isinstance(value, bool) else 0


def _gap(value: Cell) -> Decimal | int | float:
    """A missing median is a gap in the line, not a zero."""
    return value if isinstance(value, Decimal | int) else math.nan


def _fy(report: Report) -> str:
    fy = report.filters.get("fiscal_year")
    return f", FY {fy}" if fy else ""


def _fmtr_chart(report: Report) -> rendering.ChartSpec:
    rows = report.table("countries").records()
    parts = {"Tuition": "tuition", "Travel": "travel", "TLA": "living_allowance",
             "Cancellation penalties": "penalties"}  # fmt: skip
    return rendering.ChartSpec(
        kind="stacked_bar",
        title=f"Foreign Military Training Report{_fy(report)}: cost per country",
        categories=tuple(str(r["country_name"] or r["country"]) for r in rows),
        series={label: tuple(_number(r[key]) for r in rows) for label, key in parts.items()},
        y_label="USD",
    )


def _funnel_chart(report: Report) -> rendering.ChartSpec:
    rows = report.table("states").records()
    return rendering.ChartSpec(
        kind="bar",
        title=f"Pipeline funnel{_fy(report)}: nominations per state",
        categories=tuple(str(r["state"]) for r in rows),
        series={"Nominations": tuple(_number(r["nominations"]) for r in rows)},
        y_label="Nominations",
    )


def _utilization_chart(report: Report) -> rendering.ChartSpec:
    rows = report.table("countries").records()
    years = {r["fiscal_year"] for r in rows}

    def name(r: dict[str, Cell]) -> str:
        return str(r["country"]) if len(years) <= 1 else f"{r['country']} FY {r['fiscal_year']}"

    return rendering.ChartSpec(
        kind="bar",
        title=f"Funding utilization{_fy(report)}: allocated vs obligated per country",
        categories=tuple(name(r) for r in rows),
        series={
            label: tuple(_number(r[label.lower()]) for r in rows)
            for label in ("Allocated", "Obligated")
        },
        y_label="USD",
    )


def _turnaround_chart(report: Report) -> rendering.ChartSpec:
    rows = report.table("by_month").records()
    return rendering.ChartSpec(
        kind="line",
        title=f"Vetting turnaround{_fy(report)}: working days to decision per month",
        categories=tuple(str(r["month"]) for r in rows),
        series={
            "Median": tuple(_gap(r["median_days"]) for r in rows),
            "p90": tuple(_gap(r["p90_days"]) for r in rows),
        },
        y_label="Working days",
        x_label="Month opened",
    )


_CHARTS: Final = {
    "fmtr": _fmtr_chart,
    "funnel": _funnel_chart,
    "utilization": _utilization_chart,
    "vetting_turnaround": _turnaround_chart,
}


def chart_of(report: Report) -> rendering.ChartSpec:
    return _CHARTS[report.kind](report)


# --- the answer -----------------------------------------------------------------------------


def filename(report: Report, part: str, fmt: str) -> str:
    """`fmtr-fy2026-GTM-countries.pdf`: kind, fiscal year and country when filtered, part."""
    f = report.filters
    pieces = [report.kind.replace("_", "-")]
    if f.get("fiscal_year"):
        pieces.append(f"fy{f['fiscal_year']}")
    if f.get("country"):
        pieces.append(str(f["country"]))
    pieces.append(part)
    return _SAFE.sub("_", "-".join(pieces)) + "." + fmt


async def answer(report: Report, fmt: Format, table: str | None) -> ReportPublic | Response:
    """JSON: the whole report; csv/pdf: one table (`table`, default the first); svg/png: the
    report's chart."""
    if fmt == "json":
        if table is not None:
            pick_table(report, table)  # an unknown table is 422 in every format
        return to_public(report)
    item: rendering.ReportTable | rendering.ChartSpec
    if fmt in CHART_FORMATS:
        item, part, disposition = chart_of(report), "chart", "inline"
    else:
        part = pick_table(report, table).name
        item, disposition = rendering_table(report, part), "attachment"
    body, media_type = await asyncio.to_thread(rendering.render, item, fmt)
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename(report, part, fmt)}"',
            "Vary": "Accept",
        },
    )
