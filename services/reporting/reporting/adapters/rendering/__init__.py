"""Rendering of reports: a `ReportTable` or a `ChartSpec` to bytes in a format, with its media type.

The reporting service builds a table or a chart from its read model and asks `render` for the
format the caller wants; nothing here reads a database or knows a report's rules.

| item        | formats                 |
|-------------|-------------------------|
| ReportTable | csv, pdf, json          |
| ChartSpec   | svg, png, json, csv     |

Any other pairing raises `UnsupportedFormat` (a `DomainError`: 406 problem+json, not a 500).
"""

from __future__ import annotations

import json
from typing import Final

from shared.errors import DomainError

from .cells import json_value
from .csv_export import table_to_csv
from .table import ChartKind, ChartSpec, Column, ColumnKind, ReportTable

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "ChartKind",
    "ChartSpec",
    "Column",
    "ColumnKind",
    "ReportTable",
    "UnsupportedFormat",
    "formats_for",
    "render",
]

MEDIA_TYPES: Final[dict[str, str]] = {
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
    "png": "image/png",
    "json": "application/json",
}
FORMATS: Final = tuple(MEDIA_TYPES)
_TABLE_FORMATS: Final = ("csv", "pdf", "json")
_CHART_FORMATS: Final = ("svg", "png", "json", "csv")


class UnsupportedFormat(DomainError):
    code = "unsupported-format"
    status = 406
    title = "This report is not available in that format"


def formats_for(item: ReportTable | ChartSpec) -> tuple[str, ...]:
    return _TABLE_FORMATS if isinstance(item, ReportTable) else _CHART_FORMATS


def _table_json(table: ReportTable) -> dict[str, object]:
    def row(values: dict[str, object]) -> dict[str, object]:
        return {c.key: json_value(c, values.get(c.key)) for c in table.columns}

    return {
        "title": table.title,
        "subtitle": table.subtitle,
        "fiscal_year": table.fiscal_year,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in table.columns],
        "rows": [row(r) for r in table.rows],
        "totals": row(table.totals) if table.totals is not None else None,
        "notes": list(table.notes),
    }


def _chart_json(chart: ChartSpec) -> dict[str, object]:
    return {
        "kind": chart.kind,
        "title": chart.title,
        "categories": list(chart.categories),
        "series": {name: [str(v) for v in values] for name, values in chart.series.items()},
        "y_label": chart.y_label,
        "x_label": chart.x_label,
    }


def _chart_table(chart: ChartSpec) -> ReportTable:
    label = chart.x_label or "Category"
    columns = (
        Column("category", label),
        *(Column(f"s{i}", name) for i, name in enumerate(chart.series)),
    )
    rows: list[dict[str, object]] = []
    for j, category in enumerate(chart.categories):
        row: dict[str, object] = {"category": category}
        row |= {f"s{i}": str(values[j]) for i, values in enumerate(chart.series.values())}
        rows.append(row)
    return ReportTable(title=chart.title, columns=columns, rows=tuple(rows))


def render(item: ReportTable | ChartSpec, fmt: str) -> tuple[bytes, str]:
    """The report in `fmt` (csv, pdf, svg, png or json) and the media type to answer with."""
    if fmt not in formats_for(item):
        kind = "table" if isinstance(item, ReportTable) else "chart"
        raise UnsupportedFormat(
            f"a {kind} renders as {', '.join(formats_for(item))}, not {fmt!r}",
            formats=list(formats_for(item)),
        )
    if fmt == "json":
        body = _table_json(item) if isinstance(item, ReportTable) else _chart_json(item)
        return json.dumps(body, ensure_ascii=False).encode("utf-8"), MEDIA_TYPES[fmt]
    if isinstance(item, ReportTable):
        if fmt == "csv":
            return table_to_csv(item), MEDIA_TYPES[fmt]
        from .pdf import table_to_pdf  # reportlab only when a PDF is asked for

        return table_to_pdf(item), MEDIA_TYPES[fmt]
    if fmt == "csv":
        return table_to_csv(_chart_table(item)), MEDIA_TYPES[fmt]
    from .charts import render_chart

    return render_chart(item, "svg" if fmt == "svg" else "png"), MEDIA_TYPES[fmt]
