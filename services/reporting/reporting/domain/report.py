"""What every report is: titled tables of typed columns, plain data for any renderer.

JSON and CSV are written from these (entrypoints); PDF, SVG and PNG renderers plug in on the
same objects. A cell is text, a whole number, money (Decimal, 2 places), a day, a list of texts (a
tuple: a JSON list, joined with `; ` in CSV and PDF), or empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Cell = str | int | Decimal | date | tuple[str, ...] | None
ColumnKind = Literal["text", "integer", "money", "number", "percent", "date", "list"]
FilterValue = str | int | bool | None


@dataclass(frozen=True)
class ReportColumn:
    key: str
    title: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class ReportTable:
    """One table: `rows` hold one cell per column, in column order; `totals` (optional) too."""

    name: str
    title: str
    columns: tuple[ReportColumn, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[Cell, ...] | None = None

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in (*self.rows, *((self.totals,) if self.totals else ())):
            if len(row) != width:
                raise ValueError(f"{self.name}: a row of {len(row)} cells for {width} columns")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def records(self) -> list[dict[str, Cell]]:
        """The rows as {column key: cell}."""
        return [dict(zip(self.keys, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    tables: tuple[ReportTable, ...]
    filters: Mapping[str, FilterValue] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def table(self, name: str) -> ReportTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)


def columns(*specs: tuple[str, str, ColumnKind]) -> tuple[ReportColumn, ...]:
    return tuple(ReportColumn(key, title, kind) for key, title, kind in specs)
