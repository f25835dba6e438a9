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
from decimal import ROUND_HALF_UP, Decimal

from reporting.domain.facts import TERMINAL_STATES, NominationFact, StateSpan
from reporting.domain.report import Cell, Report, ReportTable, columns
from reporting.domain.stats import TENTH as TENTH_DAY
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


@dataclass(frozen=True)
class FunnelAggregates:
    """What the funnel is made of: counts per (country, fiscal year, state), per state the
    median days of the stays that ended and how many, and the stays stuck past the threshold.
    Computed from facts here, or by the database (`queries.funnel_aggregates`) at scale."""

    by_group: Counter[tuple[str, int, str]]
    medians: dict[str, Decimal | None]
    measured: Counter[str]
    stuck: Counter[str]


def aggregate(
    scope: FunnelScope,
    nominations: Iterable[NominationFact],
    spans: Iterable[StateSpan],
    now: datetime,
) -> FunnelAggregates:
    """The aggregates of facts already filtered."""
    by_group = Counter((n.country, n.fiscal_year, n.state) for n in nominations)
    durations: dict[str, list[Decimal]] = defaultdict(list)
    stuck: Counter[str] = Counter()
    for span in spans:
        if span.left_at is not None:
            durations[span.state].append(days(span.entered_at, span.left_at))
        elif span.state not in TERMINAL_STATES and (
            days(span.entered_at, now) > scope.stuck_after_days
        ):
            stuck[span.state] += 1
    medians = {s: median(v) for s, v in durations.items()}
    measured = Counter({s: len(v) for s, v in durations.items()})
    return FunnelAggregates(by_group, medians, measured, stuck)


def build_funnel(
    scope: FunnelScope,
    nominations: Iterable[NominationFact],
    spans: Iterable[StateSpan],
    now: datetime,
) -> Report:
    """Counts per state, then per country / fiscal year / state (facts already filtered)."""
    return funnel_report(scope, aggregate(scope, nominations, spans, now))


def funnel_report(scope: FunnelScope, agg: FunnelAggregates) -> Report:
    """The funnel of its aggregates."""
    by_state: Counter[str] = Counter()
    for (_, _, state), count in agg.by_group.items():
        by_state[state] += count
    stuck, by_group = agg.stuck, agg.by_group
    states = sorted(set(by_state) | set(agg.measured) | set(stuck))
    state_rows: tuple[tuple[Cell, ...], ...] = tuple(
        (s, by_state[s], agg.medians.get(s), agg.measured[s], stuck[s]) for s in states
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
                    sum(by_state.values()),
                    None,
                    sum(agg.measured.values()),
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


# The median stay from a histogram of stays by tenth of a day (ADR 0140), exact.
SECONDS_A_TENTH = 8640


def tenth_of(seconds: Decimal) -> int:
    """The stay's bucket: its days rounded half up to a tenth, times ten."""
    return int((seconds * 10 + SECONDS_A_DAY / 2) // SECONDS_A_DAY)


def bucket_seconds(tenth: int) -> tuple[Decimal, Decimal]:
    """The stays (in seconds) of a bucket: from the first, up to the second excluded."""
    middle = Decimal(tenth * SECONDS_A_TENTH)
    return middle - SECONDS_A_TENTH // 2, middle + SECONDS_A_TENTH // 2


def middle_buckets(counts: dict[int, int]) -> tuple[int, int] | None:
    """The buckets of the two middle stays (the same twice when their number is odd or both
    fall in one bucket); None without stays. When both are in one bucket, the median is that
    bucket's tenth (the mean of two values that round to it rounds to it); otherwise it is
    the mean of the longest stay of the first and the shortest of the second."""
    n = sum(counts.values())
    if n == 0:
        return None
    lower, upper = (n - 1) // 2, n // 2
    found: list[int] = []
    seen = 0
    for tenth in sorted(counts):
        seen += counts[tenth]
        while len(found) < 2 and seen > (lower, upper)[len(found)]:
            found.append(tenth)
    return found[0], found[1]


def median_of_bucket(tenth: int) -> Decimal:
    return (Decimal(tenth) / 10).quantize(TENTH_DAY)


def median_of_two(lower_seconds: Decimal, upper_seconds: Decimal) -> Decimal:
    mean = (lower_seconds + upper_seconds) / 2 / SECONDS_A_DAY
    return mean.quantize(TENTH_DAY, ROUND_HALF_UP)
