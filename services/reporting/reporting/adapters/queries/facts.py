"""The facts of a report, filtered by country, fiscal year and region in SQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    Text,
    and_,
    case,
    cast,
    distinct,
    false,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import (
    allocation,
    country_reference,
    course,
    nomination,
    state_span,
    training_line,
    vetting_case,
)
from reporting.domain.facts import (
    TERMINAL_STATES,
    ZERO,
    AllocationFact,
    CaseFact,
    CountryRef,
    CourseFact,
    LineFact,
    NominationFact,
    StateSpan,
)
from reporting.domain.fmtr import FmtrAggregates, FmtrScope, assemble
from reporting.domain.funnel import SECONDS_A_DAY, FunnelAggregates
from reporting.domain.stats import TENTH
from reporting.domain.turnaround import DECIDED, MonthGroup
from reporting.domain.utilization import LineSums


@dataclass(frozen=True)
class ReportFilters:
    country: str | None = None
    fiscal_year: int | None = None
    region: str | None = None
    #: Countries of the region (set by `resolve`); None: no region filter.
    region_countries: frozenset[str] | None = None

    def resolve(self, refs: dict[str, CountryRef]) -> ReportFilters:
        if self.region is None:
            return self
        codes = frozenset(c for c, r in refs.items() if r.region == self.region)
        return ReportFilters(self.country, self.fiscal_year, self.region, codes)

    def where(self, country: Any, fiscal_year: Any | None = None) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = [true()]
        if self.country is not None:
            parts.append(country == self.country)
        if self.region_countries is not None:
            parts.append(country.in_(sorted(self.region_countries)))
        if self.fiscal_year is not None and fiscal_year is not None:
            parts.append(fiscal_year == self.fiscal_year)
        return and_(*parts)


async def _all(session: AsyncSession, stmt: Select[Any]) -> Sequence[Any]:
    return (await session.execute(stmt)).all()


async def countries(session: AsyncSession) -> dict[str, CountryRef]:
    t = country_reference.c
    rows = await _all(session, select(t.code, t.name, t.region, t.fmtr_excluded))
    return {r.code: CountryRef(*r) for r in rows}


async def courses(session: AsyncSession) -> dict[str, CourseFact]:
    t = course.c
    rows = await _all(session, select(t.masl_id, t.title, t.category, t.institution, t.location))
    return {r.masl_id: CourseFact(*r) for r in rows}


async def nominations(session: AsyncSession, f: ReportFilters) -> list[NominationFact]:
    t = nomination.c
    stmt = select(t.nomination_id, t.country, t.fiscal_year, t.masl_id, t.candidate_id, t.state,
                  t.trained, t.completed, t.unit_name).where(
        f.where(t.country, t.fiscal_year))  # fmt: skip
    return [NominationFact(*r) for r in await _all(session, stmt)]


async def spans(session: AsyncSession, f: ReportFilters) -> list[StateSpan]:
    n, s = nomination.c, state_span.c
    stmt = (
        select(s.nomination_id, n.country, n.fiscal_year, s.state, s.entered_at, s.left_at)
        .join_from(state_span, nomination, n.nomination_id == s.nomination_id)
        .where(f.where(n.country, n.fiscal_year))
    )
    return [StateSpan(*r) for r in await _all(session, stmt)]


async def lines(session: AsyncSession, f: ReportFilters) -> list[LineFact]:
    t = training_line.c
    stmt = select(
        t.nomination_id, t.country, t.fiscal_year, t.masl_id, t.amount, t.tuition, t.travel,
        t.living_allowance, t.returned, t.lapsed, t.penalties_charged, t.penalties_refunded,
    ).where(f.where(t.country, t.fiscal_year))  # fmt: skip
    return [LineFact(*r) for r in await _all(session, stmt)]


async def allocations(session: AsyncSession, f: ReportFilters) -> list[AllocationFact]:
    t = allocation.c
    stmt = select(t.country, t.fiscal_year, t.amount).where(f.where(t.country, t.fiscal_year))
    return [AllocationFact(*r) for r in await _all(session, stmt)]


async def cases(session: AsyncSession, f: ReportFilters) -> list[CaseFact]:
    """Vetting cases (a fiscal year filter keeps the cases of that year's nominations)."""
    t = vetting_case.c
    stmt = select(t.case_id, t.country, t.opened_on, t.due_on, t.decided_on, t.outcome).where(
        f.where(t.country)
    )
    if f.fiscal_year is not None:
        n = nomination.c
        stmt = stmt.where(
            t.nomination_id.in_(
                select(n.nomination_id).where(n.fiscal_year == f.fiscal_year).scalar_subquery()
            )
        )
    return [CaseFact(*r) for r in await _all(session, stmt)]


async def funnel_aggregates(
    session: AsyncSession, f: ReportFilters, now: datetime, stuck_after_days: int
) -> FunnelAggregates:
    """The funnel's aggregates computed by the database (GROUP BY, percentile_cont): rows
    per group instead of every nomination and stay through Python (ADR 0125). Same numbers as
    `funnel.aggregate` of the facts (the median is the mean of the two middle stays)."""
    n, s = nomination.c, state_span.c
    count_stmt = (
        select(n.country, n.fiscal_year, n.state, func.count())
        .where(f.where(n.country, n.fiscal_year))
        .group_by(n.country, n.fiscal_year, n.state)
    )
    by_group: Counter[tuple[str, int, str]] = Counter(
        {(r[0], r[1], r[2]): int(r[3]) for r in await _all(session, count_stmt)}
    )
    seconds = func.extract("epoch", s.left_at - s.entered_at)
    ended = (
        select(s.state, func.percentile_cont(0.5).within_group(seconds), func.count())
        .where(s.left_at.is_not(None))
        .group_by(s.state)
    )
    stuck_stmt = (
        select(s.state, func.count())
        .where(s.left_at.is_(None), s.state.not_in(sorted(TERMINAL_STATES)),
               s.entered_at < now - timedelta(days=stuck_after_days))
        .group_by(s.state)
    )  # fmt: skip
    keep = select(n.nomination_id).where(f.where(n.country, n.fiscal_year))
    ended = ended.where(s.nomination_id.in_(keep))
    stuck_stmt = stuck_stmt.where(s.nomination_id.in_(keep))
    medians: dict[str, Decimal | None] = {}
    measured: Counter[str] = Counter()
    for state, middle, count in await _all(session, ended):
        medians[state] = (Decimal(middle) / SECONDS_A_DAY).quantize(TENTH, ROUND_HALF_UP)
        measured[state] = int(count)
    stuck = Counter({r[0]: int(r[1]) for r in await _all(session, stuck_stmt)})
    return FunnelAggregates(by_group, medians, measured, stuck)


async def line_sums(session: AsyncSession, f: ReportFilters) -> list[LineSums]:
    """The training lines summed per country, fiscal year and course by the database (ADR
    0125): the same sums as `utilization.line_sums` of the facts."""
    t = training_line.c
    zero = literal(ZERO)
    net = func.greatest(zero, t.amount - t.returned - t.lapsed)
    penalties = func.greatest(zero, t.penalties_charged - t.penalties_refunded)
    stmt = (
        select(t.country, t.fiscal_year, t.masl_id, func.sum(net), func.sum(t.lapsed),
               func.sum(penalties), func.count())
        .where(f.where(t.country, t.fiscal_year))
        .group_by(t.country, t.fiscal_year, t.masl_id)
        .order_by(t.country, t.fiscal_year, t.masl_id)
    )  # fmt: skip
    return [LineSums(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]))
            for r in await _all(session, stmt)]  # fmt: skip


async def fmtr_aggregates(
    session: AsyncSession, scope: FmtrScope, countries: dict[str, CountryRef]
) -> FmtrAggregates:
    """The FMTR's aggregates computed by the database (ADR 0125): students counted distinct
    and each line's cost split (`fmtr.line_cost`, as CASE expressions) summed per country and
    course; the same numbers as `fmtr.aggregate` of the facts. Which countries are admitted is
    decided in Python on the grouped rows (`FmtrScope.admits`), as for the facts."""

    n, t = nomination.c, training_line.c
    fy = scope.fiscal_year
    who = func.coalesce(
        cast(n.candidate_id, Text), literal("nomination:") + cast(n.nomination_id, Text)
    )
    noms = [n.fiscal_year == fy, n.trained.is_(True)]
    lines_where = [t.fiscal_year == fy]
    if scope.country is not None:
        noms.append(n.country == scope.country)
        lines_where.append(t.country == scope.country)
    per_cell = (
        select(n.country, n.masl_id, func.count(distinct(who)), func.count())
        .where(*noms)
        .group_by(n.country, n.masl_id)
    )
    per_country = select(n.country, func.count(distinct(who))).where(*noms).group_by(n.country)
    per_unit = (
        select(n.country, n.masl_id, n.unit_name).distinct().where(*noms, n.unit_name.is_not(None))
    )
    zero = literal(ZERO)
    net = func.greatest(zero, t.amount - t.returned - t.lapsed)
    penalties = func.greatest(zero, t.penalties_charged - t.penalties_refunded)
    kept = func.least(net, penalties)
    whole = t.returned + t.lapsed == zero
    tuition = case((whole, t.tuition), else_=kept)
    travel = case((whole, t.travel), else_=func.least(t.travel, net - kept))
    trained = func.coalesce(n.trained, false())
    lines_stmt = (
        select(t.country, t.masl_id, n.country, trained, func.sum(tuition), func.sum(travel),
               func.sum(net - tuition - travel), func.sum(kept))
        .select_from(training_line.outerjoin(
            nomination, and_(n.nomination_id == t.nomination_id, n.fiscal_year == fy)))
        .where(*lines_where)
        .group_by(t.country, t.masl_id, n.country, trained)
    )  # fmt: skip
    return assemble(scope, countries, await _all(session, per_cell),
                    await _all(session, lines_stmt), await _all(session, per_country),
                    await _all(session, per_unit))  # fmt: skip


_MONDAY = date(1900, 1, 1)


def _weekdays_to(day: Any) -> Any:
    """Weekdays from a Monday long ago up to `day` included: working days between two dates
    are the difference (`stats.working_days_between`, in SQL)."""
    since = cast(day - literal(_MONDAY, Date), Integer)
    return 5 * (since // 7) + func.least(since % 7 + 1, 5)


async def turnaround_groups(
    session: AsyncSession, f: ReportFilters, today: date
) -> list[MonthGroup]:
    """The turnaround's groups computed by the database (ADR 0125): counts per country and
    month opened, and the working days to decision as a histogram; the same groups as
    `turnaround.aggregate` of the facts."""
    t = vetting_case.c
    where: list[ColumnElement[bool]] = [f.where(t.country)]
    if f.fiscal_year is not None:
        n = nomination.c
        keep = select(n.nomination_id).where(n.fiscal_year == f.fiscal_year)
        where.append(t.nomination_id.in_(keep.scalar_subquery()))
    month = func.coalesce(func.to_char(t.opened_on, "YYYY-MM"), literal("unknown"))
    undecided = t.outcome.is_(None)
    late = and_(undecided, t.due_on.is_not(None), t.due_on < today)
    counts = (
        select(t.country, month, func.count(), func.count().filter(undecided),
               func.count().filter(late),
               func.coalesce(func.sum(_weekdays_to(literal(today)) - _weekdays_to(t.due_on))
                             .filter(late), 0))
        .where(*where)
        .group_by(t.country, month)
    )  # fmt: skip
    days = func.greatest(0, _weekdays_to(t.decided_on) - _weekdays_to(t.opened_on))
    histogram = (
        select(t.country, month, days, func.count())
        .where(*where, t.outcome.in_(sorted(DECIDED)), t.opened_on.is_not(None),
               t.decided_on.is_not(None))
        .group_by(t.country, month, days)
    )  # fmt: skip
    spans: dict[tuple[str, str], Counter[int]] = {}
    for country, m, d, c in await _all(session, histogram):
        spans.setdefault((country, m), Counter())[int(d)] = int(c)
    return [
        MonthGroup(country, m, int(opened), int(open_), int(overdue), int(late_days),
                   spans.get((country, m), Counter()))
        for country, m, opened, open_, overdue, late_days in await _all(session, counts)
    ]  # fmt: skip
