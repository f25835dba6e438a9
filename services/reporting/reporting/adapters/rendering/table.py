"""What a report is, independent of how it is drawn: a table, or a chart.

Money is `Decimal` (or `int`) in USD, never float: a `float` in a money column is refused when
the table is built, so a rounding error can never reach a congressional report. A percent is in
percentage points (`Decimal("12.5")` is 12.5 %). A number (days, a median) is a Decimal or
int shown as it is. `None` is an empty cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Literal, get_args

ColumnKind = Literal["text", "int", "number", "money", "percent"]
ChartKind = Literal["bar", "stacked_bar", "line"]
NUMERIC_KINDS: frozenset[str] = frozenset({"int", "number", "money", "percent"})


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"

    def __post_init__(self) -> None:
        if self.kind not in get_args(ColumnKind):
            raise ValueError(f"column {self.key!r}: unknown kind {self.kind!r}")

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


def _check_cell(column: Column, value: object) -> None:
    if value is None:
        return
    if column.kind == "text":
        if not isinstance(value, str | int):
            raise TypeError(f"column {column.key!r}: text expected, got {type(value).__name__}")
    elif column.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"column {column.key!r}: int expected, got {type(value).__name__}")
    elif isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(
            f"column {column.key!r}: {column.kind} is Decimal or int, got {type(value).__name__}"
        )
    elif isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"column {column.key!r}: {value} is not a number")


@dataclass(frozen=True)
class ReportTable:
    """A report as rows of cells under typed columns, with an optional totals row and notes."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, object], ...]
    subtitle: str | None = None
    totals: dict[str, object] | None = None
    notes: tuple[str, ...] = ()
    fiscal_year: int | None = None

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("a report table needs at least one column")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate column keys in {keys}")
        by_key = {c.key: c for c in self.columns}
        for where, row in [
            *((f"row {i}", r) for i, r in enumerate(self.rows)),
            ("totals", self.totals),
        ]:
            if row is None:
                continue
            unknown = set(row) - set(by_key)
            if unknown:
                raise ValueError(f"{where}: unknown columns {sorted(unknown)}")
            for key, value in row.items():
                _check_cell(by_key[key], value)


@dataclass(frozen=True)
class ChartSpec:
    """A chart: one value per category in each series (series drawn in the given order)."""

    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: Mapping[str, tuple[Decimal | int | float, ...]]
    y_label: str
    x_label: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in get_args(ChartKind):
            raise ValueError(f"unknown chart kind {self.kind!r}")
        if not self.series:
            raise ValueError("a chart needs at least one series")
        series = {name: tuple(values) for name, values in self.series.items()}
        for name, values in series.items():
            if len(values) != len(self.categories):
                raise ValueError(
                    f"series {name!r}: {len(values)} values, {len(self.categories)} categories"
                )
            for v in values:
                if isinstance(v, bool) or not isinstance(v, Decimal | int | float):
                    raise TypeError(f"series {name!r}: a number expected, got {v!r}")
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "series", MappingProxyType(series))
