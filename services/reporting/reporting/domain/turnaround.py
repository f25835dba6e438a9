"""Vetting turnaround per country and month a case was opened.

- Open: cases without a result yet (neither decided nor cancelled).
- Overdue: open cases past their due day; their overdue working days are counted to today.
- Days to decision: working days (Monday to Friday) from opening to the first result
  (approved, denied or suspended, automatic ones included); cancelled cases are not counted.
- Median and p90 (nearest rank) in working days, to a tenth; per country and month, and per
  month over every country in scope (`by_month`, what the chart draws).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from reporting.domain.facts import CaseFact
from reporting.domain.report import Cell, Report, ReportTable, columns
from reporting.domain.stats import median, percentile, working_days_between

DECIDED = frozenset({"approved", "denied", "suspended"})


def build_turnaround(
    cases: Iterable[CaseFact], today: date, filters: Mapping[str, str | int | None]
) -> Report:
    groups: dict[tuple[str, str], list[CaseFact]] = defaultdict(list)
    for c in cases:
        month = c.opened_on.strftime("%Y-%m") if c.opened_on else "unknown"
        groups[(c.country, month)].append(c)
    rows: list[tuple[Cell, ...]] = []
    all_days: list[int] = []
    month_days: dict[str, list[int]] = defaultdict(list)
    month_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    totals = [0, 0, 0, 0, 0]
    for (country, month), group in sorted(groups.items()):
        open_ = [c for c in group if c.outcome is None]
        overdue = [c for c in open_ if c.due_on is not None and today > c.due_on]
        late_days = sum(working_days_between(c.due_on, today) for c in overdue if c.due_on)
        spans = [
            working_days_between(c.opened_on, c.decided_on)
            for c in group
            if c.outcome in DECIDED and c.opened_on and c.decided_on
        ]
        all_days += spans
        month_days[month] += spans
        month_counts[month][0] += len(group)
        month_counts[month][1] += len(spans)
        rows.append((country, month, len(group), len(spans), len(open_), len(overdue), late_days,
                     median(spans), percentile(spans, 90)))  # fmt: skip
        for i, v in enumerate((len(group), len(spans), len(open_), len(overdue), late_days)):
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
                ("Total", None, *totals, median(all_days), percentile(all_days, 90)),
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
                        median(month_days[month]),
                        percentile(month_days[month], 90),
                    )
                    for month, (opened, decided) in sorted(month_counts.items())
                ),
            ),
        ),
        filters={**filters, "as_of": today.isoformat()},
    )
