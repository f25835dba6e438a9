"""Vetting turnaround per country and month a case was opened.

- Open: cases without a result yet (neither decided nor cancelled).
- Overdue: open cases past their due day; their overdue working days are counted to today.
- Days to decision: working days (Monday to Friday) from opening to the first result
  (approved, denied or suspended, automatic ones included); cancelled cases are not counted.
- Median and p90 (nearest rank) in working days, to a tenth; per country and month, and per
  month over every country in scope (`by_month`, what the chart draws).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from reporting.domain.facts import CaseFact
from reporting.domain.report import Cell, Report, ReportTable, columns
from reporting.domain.stats import median_of_counts, percentile_of_counts, working_days_between

DECIDED = frozenset({"approved", "denied", "suspended"})


@dataclass(frozen=True)
class MonthGroup:
    """The cases of one country opened in one month: how many, how many still open, overdue
    and by how many working days in all, and the working days to decision (days -> cases).
    Computed from facts here (`aggregate`) or by the database (`queries.turnaround_groups`)."""

    country: str
    month: str
    opened: int
    open: int
    overdue: int
    late_days: int
    days: Counter[int]

    @property
    def decided(self) -> int:
        return sum(self.days.values())


def aggregate(cases: Iterable[CaseFact], today: date) -> list[MonthGroup]:
    groups: dict[tuple[str, str], list[CaseFact]] = defaultdict(list)
    for c in cases:
        month = c.opened_on.strftime("%Y-%m") if c.opened_on else "unknown"
        groups[(c.country, month)].append(c)
    out = []
    for (country, month), group in sorted(groups.items()):
        open_ = [c for c in group if c.outcome is None]
        overdue = [c for c in open_ if c.due_on is not None and today > c.due_on]
        late_days = sum(working_days_between(c.due_on, today) for c in overdue if c.due_on)
        spans = Counter(
            working_days_between(c.opened_on, c.decided_on)
            for c in group
            if c.outcome in DECIDED and c.opened_on and c.decided_on
        )
        out.append(MonthGroup(country, month, len(group), len(open_), len(overdue), late_days,
                              spans))  # fmt: skip
    return out


def build_turnaround(
    cases: Iterable[CaseFact], today: date, filters: Mapping[str, str | int | None]
) -> Report:
    return turnaround_report(aggregate(cases, today), today, filters)


def turnaround_report(
    groups: Iterable[MonthGroup], today: date, filters: Mapping[str, str | int | None]
) -> Report:
    rows: list[tuple[Cell, ...]] = []
    all_days: Counter[int] = Counter()
    month_days: dict[str, Counter[int]] = defaultdict(Counter)
    month_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    totals = [0, 0, 0, 0, 0]
    for g in sorted(groups, key=lambda g: (g.country, g.month)):
        all_days.update(g.days)
        month_days[g.month].update(g.days)
        month_counts[g.month][0] += g.opened
        month_counts[g.month][1] += g.decided
        rows.append((g.country, g.month, g.opened, g.decided, g.open, g.overdue, g.late_days,
                     median_of_counts(g.days), percentile_of_counts(g.days, 90)))  # fmt: skip
        for i, v in enumerate((g.opened, g.decided, g.open, g.overdue, g.late_days)):
            totals[i] += v
    return Report(
        kind="vetting_turnaround",
        title="Vetting turnaround",
        tables=(
            ReportTable(
                "months",
                "Vetting cases per country and month opened",
                columns(
                    ("country", "Country", "text"),
                    ("month", "Month opened", "text"),
                    ("opened", "Opened", "integer"),
                    ("decided", "Decided", "integer"),
                    ("open", "Open", "integer"),
                    ("overdue", "Overdue", "integer"),
                    ("overdue_working_days", "Overdue working days", "integer"),
                    ("median_days", "Median working days to decision", "number"),
                    ("p90_days", "p90 working days to decision", "number"),
                ),
                tuple(rows),
                (
                    "Total",
                    None,
                    *totals,
                    median_of_counts(all_days),
                    percentile_of_counts(all_days, 90),
                ),
            ),
            ReportTable(
                "by_month",
                "Vetting turnaround per month opened, all countries in scope",
                columns(
                    ("month", "Month opened", "text"),
                    ("opened", "Opened", "integer"),
                    ("decided", "Decided", "integer"),
                    ("median_days", "Median working days to decision", "number"),
                    ("p90_days", "p90 working days to decision", "number"),
                ),
                tuple(
                    (
                        month,
                        opened,
                        decided,
                        median_of_counts(month_days[month]),
                        percentile_of_counts(month_days[month], 90),
                    )
                    for month, (opened, decided) in sorted(month_counts.items())
                ),
            ),
        ),
        filters={**filters, "as_of": today.isoformat()},
    )
