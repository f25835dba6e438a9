"""The reports' aggregates read from the pre-aggregated projections (ADR 0140): rows per
group, whatever the history. The same numbers as the aggregates of the facts (`facts.py`,
`tests/integration/test_aggregates.py` checks both on the same facts)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.aggregate_tables import (
    fmtr_cell,
    fmtr_country,
    fmtr_unit,
    funnel_count,
    funnel_open,
    funnel_stay,
    line_total,
    turnaround_days,
    turnaround_due,
    turnaround_month,
)
from reporting.adapters.aggregates import ALL_COUNTRIES, ALL_YEARS, weekdays_to
from reporting.adapters.queries.facts import ReportFilters
from reporting.adapters.tables import nomination, state_span
from reporting.domain.facts import TERMINAL_STATES, CountryRef
from reporting.domain.fmtr import FmtrAggregates, FmtrScope, assemble
from reporting.domain.funnel import (
    FunnelAggregates,
    bucket_seconds,
    median_of_bucket,
    median_of_two,
    middle_buckets,
)
from reporting.domain.turnaround import MonthGroup
from reporting.domain.utilization import LineSums


async def _all(session: AsyncSession, stmt: Select[Any]) -> Sequence[Any]:
    return (await session.execute(stmt)).all()


async def fmtr_aggregates(
    session: AsyncSession, scope: FmtrScope, countries: dict[str, CountryRef]
) -> FmtrAggregates:
    c, t, k = fmtr_cell.c, line_total.c, fmtr_country.c
    fy = scope.fiscal_year
    one = scope.country
    cells = select(c.country, c.masl_id, c.students, c.trained_lines).where(
        c.fiscal_year == fy, c.trained_lines > 0, *([c.country == one] if one else [])
    )
    lines = select(
        t.country, t.masl_id, func.nullif(t.nomination_country, ""), t.trained, t.tuition,
        t.travel, t.living_allowance, t.kept,
    ).where(t.fiscal_year == fy, t.lines > 0, *([t.country == one] if one else []))  # fmt: skip
    students = select(k.country, k.students).where(
        k.fiscal_year == fy, k.students > 0, *([k.country == one] if one else [])
    )
    u = fmtr_unit.c
    units = select(u.country, u.masl_id, u.unit_name).where(
        u.fiscal_year == fy, u.students > 0, *([u.country == one] if one else [])
    )
    return assemble(scope, countries, await _all(session, cells), await _all(session, lines),
                    await _all(session, students), await _all(session, units))  # fmt: skip


async def line_sums(session: AsyncSession, f: ReportFilters) -> list[LineSums]:
    t = line_total.c
    stmt = (
        select(t.country, t.fiscal_year, t.masl_id, func.sum(t.net), func.sum(t.lapsed),
               func.sum(t.penalties), func.sum(t.lines))
        .where(f.where(t.country, t.fiscal_year))
        .group_by(t.country, t.fiscal_year, t.masl_id)
        .having(func.sum(t.lines) > 0)
        .order_by(t.country, t.fiscal_year, t.masl_id)
    )  # fmt: skip
    return [LineSums(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]))
            for r in await _all(session, stmt)]  # fmt: skip


def _level(f: ReportFilters, country: Any, fiscal_year: Any) -> ColumnElement[bool]:
    """The rows of the funnel's levels that answer the filters: a country's own rows when a
    country or region is asked, the every-country rows otherwise; same for the year."""
    by_country = f.country is not None or f.region_countries is not None
    return and_(
        f.where(country) if by_country else country == ALL_COUNTRIES,
        country != ALL_COUNTRIES if by_country else country == ALL_COUNTRIES,
        fiscal_year == (f.fiscal_year if f.fiscal_year is not None else ALL_YEARS),
    )


async def _edge_stay(
    session: AsyncSession, f: ReportFilters, state: str, tenth: int, longest: bool
) -> Decimal:
    """The longest (or shortest) ended stay in `state` of the bucket, among the filter's
    nominations (one index probe, ix_state_span_ended_stay)."""
    s, n = state_span.c, nomination.c
    stay = s.left_at - s.entered_at
    low, high = (timedelta(seconds=float(v)) for v in bucket_seconds(tenth))
    stmt = (
        select(stay)
        .join_from(state_span, nomination, n.nomination_id == s.nomination_id)
        .where(s.state == state, s.left_at.is_not(None), stay >= low, stay < high,
               f.where(n.country, n.fiscal_year))
        .order_by(stay.desc() if longest else stay)
        .limit(1)
    )  # fmt: skip
    found: timedelta = (await session.execute(stmt)).scalar_one()
    return Decimal(found.days * 86400 + found.seconds) + Decimal(found.microseconds) / 10**6


async def funnel_aggregates(
    session: AsyncSession, f: ReportFilters, now: datetime, stuck_after_days: int
) -> FunnelAggregates:
    g, h, o = funnel_count.c, funnel_stay.c, funnel_open.c
    counts = select(g.country, g.fiscal_year, g.state, g.nominations).where(
        f.where(g.country, g.fiscal_year), g.nominations > 0
    )
    by_group = Counter({(r[0], r[1], r[2]): int(r[3]) for r in await _all(session, counts)})
    histogram = (
        select(h.state, h.tenth, func.sum(h.stays))
        .where(_level(f, h.country, h.fiscal_year))
        .group_by(h.state, h.tenth)
        .having(func.sum(h.stays) > 0)
    )
    per_state: dict[str, dict[int, int]] = {}
    for state, tenth, stays in await _all(session, histogram):
        per_state.setdefault(state, {})[int(tenth)] = int(stays)
    medians: dict[str, Decimal | None] = {}
    measured: Counter[str] = Counter()
    for state, buckets in per_state.items():
        middle = middle_buckets(buckets)
        if middle is None:
            continue
        lo, hi = middle
        medians[state] = median_of_bucket(lo) if lo == hi else median_of_two(
            await _edge_stay(session, f, state, lo, longest=True),
            await _edge_stay(session, f, state, hi, longest=False),
        )  # fmt: skip
        measured[state] = sum(buckets.values())
    cutoff = now - timedelta(days=stuck_after_days)
    day = cutoff.astimezone(UTC).date()
    stuck_stmt = (
        select(o.state, func.sum(o.stays))
        .where(_level(f, o.country, o.fiscal_year), o.entered_on < day)
        .group_by(o.state)
    )
    stuck: Counter[str] = Counter()
    for state, stays in await _all(session, stuck_stmt):
        stuck[state] += int(stays)
    s, n = state_span.c, nomination.c
    that_day = (
        select(s.state, func.count())
        .join_from(state_span, nomination, n.nomination_id == s.nomination_id)
        .where(s.left_at.is_(None), s.state.not_in(sorted(TERMINAL_STATES)),
               s.entered_at >= datetime.combine(day, time(), UTC), s.entered_at < cutoff,
               f.where(n.country, n.fiscal_year))
        .group_by(s.state)
    )  # fmt: skip
    for state, stays in await _all(session, that_day):
        stuck[state] += int(stays)
    return FunnelAggregates(by_group, medians, measured, +stuck)


async def turnaround_groups(
    session: AsyncSession, f: ReportFilters, today: date
) -> list[MonthGroup]:
    m, d, w = turnaround_month.c, turnaround_due.c, turnaround_days.c

    def where(c: Any) -> ColumnElement[bool]:
        return f.where(c.country, c.fiscal_year)

    months = (
        select(m.country, m.month, func.sum(m.opened), func.sum(m.open))
        .where(where(m))
        .group_by(m.country, m.month)
        .having(func.sum(m.opened) > 0)
    )
    late_days = weekdays_to(literal(today, Date)) - weekdays_to(d.due_on)
    due = (
        select(d.country, d.month, func.sum(d.cases), func.sum(d.cases * late_days))
        .where(where(d), d.due_on < today)
        .group_by(d.country, d.month)
    )
    histogram = (
        select(w.country, w.month, w.days, func.sum(w.cases))
        .where(where(w))
        .group_by(w.country, w.month, w.days)
        .having(func.sum(w.cases) > 0)
    )
    spans: dict[tuple[str, str], Counter[int]] = {}
    for country, month, days, cases in await _all(session, histogram):
        spans.setdefault((country, month), Counter())[int(days)] = int(cases)
    overdue = {(r[0], r[1]): (int(r[2]), int(r[3])) for r in await _all(session, due)}
    return [
        MonthGroup(country, month, int(opened), int(open_),
                   *overdue.get((country, month), (0, 0)), spans.get((country, month), Counter()))
        for country, month, opened, open_ in await _all(session, months)
    ]  # fmt: skip
