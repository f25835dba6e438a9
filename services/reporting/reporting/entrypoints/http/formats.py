"""A report as JSON or CSV (PDF, SVG and PNG renderers plug in on the same `Report`)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Literal

from starlette.responses import Response

from reporting.domain.errors import UnknownReportTable
from reporting.domain.report import Cell, Report, ReportTable
from reporting.entrypoints.http.schemas.reports import (
    ColumnPublic,
    JsonCell,
    ReportPublic,
    TablePublic,
)

Format = Literal["json", "csv"]


def cell(value: Cell) -> JsonCell:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
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


def to_csv(report: Report, table: str | None) -> str:
    """One table as CSV: a header of column titles, the rows, the totals row last."""
    names = [t.name for t in report.tables]
    name = table or names[0]
    if name not in names:
        raise UnknownReportTable(f"{report.kind} has the tables {', '.join(names)}, not {name!r}")
    t = report.table(name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in t.columns])
    for row in (*t.rows, *((t.totals,) if t.totals else ())):
        writer.writerow(["" if v is None else cell(v) for v in row])
    return out.getvalue()


def answer(report: Report, fmt: Format, table: str | None) -> ReportPublic | Response:
    if fmt == "csv":
        filename = f"{report.kind}-{table or report.tables[0].name}.csv"
        return Response(
            to_csv(report, table),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return to_public(report)
