"""The pipeline funnel: nominations by state, country and fiscal year; time spent per state.

- A nomination is counted in its current state.
- Time in a state is measured on the spans that ended (the nomination left the state); the
  median is in days, to a tenth.
- A nomination is stuck when it has been in a non-final state longer than the threshold.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reporting.domain.facts import TERMINAL_STATES, NominationFact, StateSpan
from reporting.domain.report import Cell, Report, ReportTable, columns
from reporting.domain.stats import median

SECONDS_A_DAY = Decimal(86400)


@dataclass(frozen=True)
class FunnelScope:
    stuck_after_days: int
    fiscal_year: int | None = None
    country: str | None = None
    region: str | None = None


def days(start: datetime, end: datetime) -> Decimal:
    return Decimal((end - start).total_seconds()) / SECONDS_A_DAY


def build_funnel(
    scope: FunnelScope,
    nominations: Iterable[NominationFact],
    spans: Iterable[StateSpan],
    now: datetime,
) -> Report:
    """Counts per state, then per country / fiscal year / state (facts already filtered)."""
    noms = list(nominations)
    by_state = Counter(n.state for n in noms)
    by_group = Counter((n.country, n.fiscal_year, n.state) for n in noms)
    durations: dict[str, list[Decimal]] = defaultdict(list)
    stuck: Counter[str] = Counter()
    for span in spans:
        if span.left_at is not None:
            durations[span.state].append(days(span.entered_at, span.left_at))
        elif span.state not in TERMINAL_STATES and (
            days(span.entered_at, now) > scope.stuck_after_days
        ):
            stuck[span.state] += 1
    states = sorted(set(by_state) | set(durations) | set(stuck))
    state_rows: tuple[tuple[Cell, ...], ...] = tuple(
        (s, by_state[s], median(durations[s]), len(durations[s]), stuck[s]) for s in states
    )
    group_rows: tuple[tuple[Cell, ...], ...] = tuple(
        (country, fy, state, count) for (country, fy, state), count in sorted(by_group.items())
    )
    return Report(
        kind="funnel",
        title="Pipeline funnel",
        tables=(
            ReportTable(
                "states",
                "Nominations by state",
                columns(
                    ("state", "State", "text"),
                    ("nominations", "Nominations", "integer"),
                    ("median_days_in_state", "Median days in state", "number"),
                    ("spans_measured", "Stays measured", "integer"),
                    ("stuck", f"Stuck > {scope.stuck_after_days} days", "integer"),
                ),
                state_rows,
                (
                    "Total",
                    len(noms),
                    None,
                    sum(len(v) for v in durations.values()),
                    sum(stuck.values()),
                ),
            ),
            ReportTable(
                "by_country",
                "Nominations by country, fiscal year and state",
                columns(
                    ("country", "Country", "text"),
                    ("fiscal_year", "Fiscal year", "integer"),
                    ("state", "State", "text"),
                    ("nominations", "Nominations", "integer"),
                ),
                group_rows,
            ),
        ),
        filters={
            "fiscal_year": scope.fiscal_year,
            "country": scope.country,
            "region": scope.region,
            "stuck_after_days": scope.stuck_after_days,
        },
    )
