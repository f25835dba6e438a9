"""Funding utilization per country and fiscal year.

- Allocated: the country's allocation (its latest amount).
- Obligated: what the training lines finally hold (obligated minus returned minus lapsed).
- Available: allocated minus obligated minus lapsed (lapsed money went back to no one).
- PME share: the part of the obligated money on professional military education courses.
- Penalties: cancellation and non-completion charges, minus refunds of refilled seats.
- Warnings: `over_allocation` (obligated beyond the allocation), `no_allocation` (money
  obligated without one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reporting.domain.facts import ZERO, AllocationFact, CourseFact, LineFact
from reporting.domain.report import Cell, Report, ReportTable, columns

PME = "pme"


@dataclass
class _Sums:
    allocated: Decimal = ZERO
    obligated: Decimal = ZERO
    lapsed: Decimal = ZERO
    pme: Decimal = ZERO
    penalties: Decimal = ZERO
    lines: int = 0


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole == ZERO:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def warning(s: _Sums) -> str | None:
    if s.allocated == ZERO and s.obligated > ZERO:
        return "no_allocation"
    if s.obligated + s.lapsed > s.allocated:
        return "over_allocation"
    return None


@dataclass(frozen=True)
class LineSums:
    """The training lines of one country, fiscal year and course, summed: what they finally
    hold (each line's net), lapsed, penalties (each line's), and how many lines. Summed from
    facts here (`line_sums`) or by the database (`queries.line_sums`) at scale."""

    country: str
    fiscal_year: int
    masl_id: str
    obligated: Decimal
    lapsed: Decimal
    penalties: Decimal
    lines: int


def line_sums(lines: Iterable[LineFact]) -> list[LineSums]:
    groups: dict[tuple[str, int, str], list[LineFact]] = defaultdict(list)
    for line in lines:
        groups[(line.country, line.fiscal_year, line.masl_id)].append(line)
    return [
        LineSums(c, fy, m, sum((x.net for x in g), ZERO), sum((x.lapsed for x in g), ZERO),
                 sum((x.penalties for x in g), ZERO), len(g))
        for (c, fy, m), g in sorted(groups.items())
    ]  # fmt: skip


def build_utilization(
    allocations: Iterable[AllocationFact],
    lines: Iterable[LineFact],
    courses: Mapping[str, CourseFact],
    filters: Mapping[str, str | int | None],
) -> Report:
    return utilization_report(allocations, line_sums(lines), courses, filters)


def utilization_report(
    allocations: Iterable[AllocationFact],
    lines: Iterable[LineSums],
    courses: Mapping[str, CourseFact],
    filters: Mapping[str, str | int | None],
) -> Report:
    sums: dict[tuple[str, int], _Sums] = defaultdict(_Sums)
    for a in allocations:
        sums[(a.country, a.fiscal_year)].allocated += a.amount
    for line in lines:
        s = sums[(line.country, line.fiscal_year)]
        s.obligated += line.obligated
        s.lapsed += line.lapsed
        s.penalties += line.penalties
        s.lines += line.lines
        course = courses.get(line.masl_id)
        if course is not None and course.category == PME:
            s.pme += line.obligated
    rows: list[tuple[Cell, ...]] = []
    total = _Sums()
    for (country, fy), s in sorted(sums.items()):
        available = s.allocated - s.obligated - s.lapsed
        rows.append((country, fy, s.allocated, s.obligated, available, s.lapsed, s.lines,
                     s.pme, share(s.pme, s.obligated), s.penalties, warning(s)))  # fmt: skip
        for name in ("allocated", "obligated", "lapsed", "pme", "penalties", "lines"):
            setattr(total, name, getattr(total, name) + getattr(s, name))
    totals: tuple[Cell, ...] = (
        "Total", None, total.allocated, total.obligated,
        total.allocated - total.obligated - total.lapsed, total.lapsed, total.lines, total.pme,
        share(total.pme, total.obligated), total.penalties, None,
    )  # fmt: skip
    return Report(
        kind="utilization",
        title="Funding utilization",
        tables=(
            ReportTable(
                "countries",
                "Allocated, obligated and available per country and fiscal year",
                columns(
                    ("country", "Country", "text"),
                    ("fiscal_year", "Fiscal year", "integer"),
                    ("allocated", "Allocated", "money"),
                    ("obligated", "Obligated", "money"),
                    ("available", "Available", "money"),
                    ("lapsed", "Lapsed", "money"),
                    ("training_lines", "Training lines", "integer"),
                    ("pme_obligated", "PME obligated", "money"),
                    ("pme_share", "PME share %", "percent"),
                    ("penalties", "Penalties", "money"),
                    ("warning", "Warning", "text"),
                ),
                tuple(rows),
                totals,
            ),
        ),
        filters=dict(filters),
    )
