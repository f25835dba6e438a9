"""Keeping the pre-aggregated projections (ADR 0140) from the facts, in the facts' transaction.

Every aggregate has a *source*: a SELECT of the facts, grouped by the aggregate's key, of the
nominations `which` picks (by a nomination id column). A change of one nomination's facts is
applied as "subtract the source of this nomination, change the facts, add the source again"
(`of_nomination`): whatever the event changed (a stay ended, a line deobligated, the
nomination of a line arrived after it), the aggregates move from the old contribution to the
new one. The same statements with `which` = every nomination (the migration) or a range of
ids (the bench loader) fill them from facts already there. The consumer's inbox applies an
event once, so nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Date,
    Insert,
    Integer,
    Select,
    Table,
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from reporting.adapters.aggregate_tables import (
    fmtr_cell,
    fmtr_country,
    fmtr_country_student,
    fmtr_student,
    funnel_count,
    funnel_open,
    funnel_stay,
    line_total,
    turnaround_days,
    turnaround_due,
    turnaround_month,
)
from reporting.adapters.tables import nomination, state_span, training_line, vetting_case
from reporting.domain.facts import TERMINAL_STATES, ZERO
from reporting.domain.turnaround import DECIDED

Which = Callable[[Any], ColumnElement[bool]]
ALL_COUNTRIES = "*"
ALL_YEARS = 0


def everything(_: Any) -> ColumnElement[bool]:
    return literal(True)


def one(nomination_id: UUID) -> Which:
    return lambda column: column == nomination_id


def weekdays_to(day: Any) -> Any:
    """Weekdays from a Monday long ago up to `day` included (differences: working days)."""
    since = cast(day - literal_column("DATE '1900-01-01'"), Integer)
    return 5 * (since // 7) + func.least(since % 7 + 1, 5)


def _line_total(which: Which) -> Select[Any]:
    t, n = training_line.c, nomination.c
    zero = literal(ZERO)
    net = func.greatest(zero, t.amount - t.returned - t.lapsed)
    penalties = func.greatest(zero, t.penalties_charged - t.penalties_refunded)
    kept = func.least(net, penalties)
    whole = t.returned + t.lapsed == zero
    tuition = case((whole, t.tuition), else_=kept)
    travel = case((whole, t.travel), else_=func.least(t.travel, net - kept))
    nom_country = func.coalesce(n.country, literal_column("''"))
    trained = func.coalesce(n.trained, false())
    return (
        select(t.fiscal_year, t.country, t.masl_id, nom_country.label("nomination_country"),
               trained.label("trained"), func.count().label("lines"),
               func.sum(tuition).label("tuition"), func.sum(travel).label("travel"),
               func.sum(net - tuition - travel).label("living_allowance"),
               func.sum(kept).label("kept"), func.sum(net).label("net"),
               func.sum(t.lapsed).label("lapsed"), func.sum(penalties).label("penalties"))
        .select_from(training_line.outerjoin(nomination, and_(
            n.nomination_id == t.nomination_id, n.fiscal_year == t.fiscal_year)))
        .where(which(t.nomination_id))
        .group_by(t.fiscal_year, t.country, t.masl_id, nom_country, trained)
    )  # fmt: skip


def _student() -> Any:
    n = nomination.c
    return func.coalesce(
        cast(n.candidate_id, Text), literal_column("'nomination:'") + cast(n.nomination_id, Text)
    )


def _fmtr_student(which: Which) -> Select[Any]:
    n = nomination.c
    who = _student()
    return (
        select(n.fiscal_year, n.country, n.masl_id, who.label("student"),
               func.count().label("nominations"))
        .where(n.trained.is_(True), which(n.nomination_id))
        .group_by(n.fiscal_year, n.country, n.masl_id, who)
    )  # fmt: skip


def _fmtr_country_student(which: Which) -> Select[Any]:
    n = nomination.c
    who = _student()
    return (
        select(n.fiscal_year, n.country, who.label("student"), func.count().label("nominations"))
        .where(n.trained.is_(True), which(n.nomination_id))
        .group_by(n.fiscal_year, n.country, who)
    )


def _funnel_count(which: Which) -> Select[Any]:
    n = nomination.c
    return (
        select(n.country, n.fiscal_year, n.state, func.count().label("nominations"))
        .where(which(n.nomination_id))
        .group_by(n.country, n.fiscal_year, n.state)
    )


def _every_level(inner: Any, name: str, count: str) -> Select[Any]:
    """Counts of `inner` per (country, fiscal year, state, `name`), per country, per fiscal
    year and overall (`'*'` / `0` for "every")."""
    c = inner.c
    return select(
        func.coalesce(c.country, ALL_COUNTRIES).label("country"),
        func.coalesce(c.fiscal_year, ALL_YEARS).label("fiscal_year"),
        c.state, c[name], func.count().label(count),
    ).group_by(func.grouping_sets(
        tuple_(c.country, c.fiscal_year, c.state, c[name]), tuple_(c.country, c.state, c[name]),
        tuple_(c.fiscal_year, c.state, c[name]), tuple_(c.state, c[name]),
    ))  # fmt: skip


def _stays(which: Which, *, ended: bool) -> Any:
    s, n = state_span.c, nomination.c
    joined = state_span.join(nomination, n.nomination_id == s.nomination_id)
    if ended:
        seconds = func.extract("epoch", s.left_at - s.entered_at)
        tenth = cast(func.floor((seconds * 10 + 43200) / 86400), Integer)
        return (
            select(n.country, n.fiscal_year, s.state, tenth.label("tenth"))
            .select_from(joined)
            .where(s.left_at.is_not(None), which(s.nomination_id))
            .subquery()
        )
    day = cast(func.timezone("UTC", s.entered_at), Date)
    return (
        select(n.country, n.fiscal_year, s.state, day.label("entered_on"))
        .select_from(joined)
        .where(s.left_at.is_(None), s.state.not_in(sorted(TERMINAL_STATES)),
               which(s.nomination_id))
        .subquery()
    )  # fmt: skip


def _funnel_stay(which: Which) -> Select[Any]:
    return _every_level(_stays(which, ended=True), "tenth", "stays")


def _funnel_open(which: Which) -> Select[Any]:
    return _every_level(_stays(which, ended=False), "entered_on", "stays")


def _cases(which: Which) -> Any:
    c, n = vetting_case.c, nomination.c
    month = func.coalesce(func.to_char(c.opened_on, "YYYY-MM"), literal("unknown"))
    days = func.greatest(0, weekdays_to(c.decided_on) - weekdays_to(c.opened_on))
    decided = and_(c.outcome.in_(sorted(DECIDED)), c.opened_on.is_not(None),
                   c.decided_on.is_not(None))  # fmt: skip
    return (
        select(c.country, func.coalesce(n.fiscal_year, ALL_YEARS).label("fiscal_year"),
               month.label("month"), (c.outcome.is_(None)).label("undecided"), c.due_on,
               case((decided, days)).label("days"))
        .select_from(vetting_case.outerjoin(nomination, n.nomination_id == c.nomination_id))
        .where(which(c.nomination_id))
        .subquery()
    )  # fmt: skip


def _turnaround_month(which: Which) -> Select[Any]:
    c = _cases(which).c
    return select(
        c.country, c.fiscal_year, c.month, func.count().label("opened"),
        func.count().filter(c.undecided).label("open"),
    ).group_by(c.country, c.fiscal_year, c.month)  # fmt: skip


def _turnaround_due(which: Which) -> Select[Any]:
    c = _cases(which).c
    return (
        select(c.country, c.fiscal_year, c.month, c.due_on, func.count().label("cases"))
        .where(c.undecided, c.due_on.is_not(None))
        .group_by(c.country, c.fiscal_year, c.month, c.due_on)
    )


def _turnaround_days(which: Which) -> Select[Any]:
    c = _cases(which).c
    return (
        select(c.country, c.fiscal_year, c.month, c.days, func.count().label("cases"))
        .where(c.days.is_not(None))
        .group_by(c.country, c.fiscal_year, c.month, c.days)
    )


ADDITIVE: tuple[tuple[Table, Callable[[Which], Select[Any]]], ...] = (
    (line_total, _line_total),
    (funnel_count, _funnel_count),
    (funnel_stay, _funnel_stay),
    (funnel_open, _funnel_open),
    (turnaround_month, _turnaround_month),
    (turnaround_due, _turnaround_due),
    (turnaround_days, _turnaround_days),
)
# A student counts once: (refcounted students, their source, the counts they make distinct)
DISTINCT: tuple[tuple[Table, Callable[[Which], Select[Any]], Table], ...] = (
    (fmtr_student, _fmtr_student, fmtr_cell),
    (fmtr_country_student, _fmtr_country_student, fmtr_country),
)


def _keys(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _measures(table: Table) -> list[str]:
    return [c.name for c in table.columns if not c.primary_key]


def _add(table: Table, rows: Select[Any], sign: int) -> Insert:
    """INSERT the source rows (times `sign`) or add them to the rows already there."""
    src = rows.subquery()
    keys, measures = _keys(table), _measures(table)
    signed = [src.c[m] if sign == 1 else (src.c[m] * sign).label(m) for m in measures]
    stmt = pg_insert(table).from_select(keys + measures,
                                        select(*(src.c[k] for k in keys), *signed))  # fmt: skip
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={m: table.c[m] + stmt.excluded[m] for m in measures}
    )


def _distinct(refs: Table, rows: Select[Any], counts: Table, sign: int) -> Insert:
    """Refcount the students (`refs`) and move the distinct count of their group (`counts`)
    by one whenever a student's count goes from zero to more or back."""
    delta = rows.cte("delta")
    group = [k for k in _keys(refs) if k != "student"]
    added = _add(refs, select(delta), sign).returning(*refs.primary_key.columns,
                                                      refs.c.nominations).cte("added")  # fmt: skip
    after = added.c.nominations
    before = after - delta.c.nominations * sign
    became = case((and_(before <= 0, after > 0), 1), (and_(before > 0, after <= 0), -1), else_=0)
    moved = select(*(added.c[k] for k in group), func.sum(became).label("students"),
                   *([func.sum(delta.c.nominations * sign).label("trained_lines")]
                     if "trained_lines" in counts.c else [])).select_from(
        added.join(delta, and_(*(added.c[k] == delta.c[k] for k in _keys(refs))))
    ).group_by(*(added.c[k] for k in group))  # fmt: skip
    return _add(counts, moved, 1)


def statements(which: Which, sign: int) -> list[Insert]:
    """What adds (`sign` 1) or subtracts (-1) the contribution of the nominations `which`
    picks to every aggregate."""
    out = [_add(table, source(which), sign) for table, source in ADDITIVE]
    out += [_distinct(refs, source(which), counts, sign) for refs, source, counts in DISTINCT]
    return out


def as_sql(stmt: Insert) -> str:
    """A statement as PostgreSQL text with its values inline (the bench loader's COPY path)."""
    compiled = stmt.compile(dialect=asyncpg_dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled)  # asyncpg's parameter style: `%` stays `%`


# What each kind of fact feeds (an event changes the facts of one kind, or the nomination's own).
PARTS: dict[str, tuple[Table, ...]] = {
    "line": (line_total,),
    "stays": (funnel_count, funnel_stay, funnel_open),
    "trained": (fmtr_student, fmtr_country_student, line_total),
    "cases": (turnaround_month, turnaround_due, turnaround_days),
}  # fmt: skip
PARTS["moved"] = (*PARTS["stays"], *PARTS["trained"])  # into `in_training`
PARTS["nomination"] = tuple({t: None for ts in PARTS.values() for t in ts})
_ONE = bindparam("nomination_id", type_=Uuid)
# Built once: the statements of one nomination per aggregate (a bind parameter for its id).
_PREPARED = {
    sign: dict(zip((*(t for t, _ in ADDITIVE), *(r for r, _, _ in DISTINCT)),
                   statements(lambda column: column == _ONE, sign), strict=True))
    for sign in (-1, 1)
}  # fmt: skip


class SqlAggregates:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        #: A rebuild replays every fact first and fills the aggregates once at the end.
        self.deferred = False

    async def apply(self, which: Which, sign: int) -> None:
        for stmt in statements(which, sign):
            await self.session.execute(stmt)

    async def _one(self, nomination_id: UUID, tables: tuple[Table, ...], sign: int) -> None:
        for table in tables:
            await self.session.execute(_PREPARED[sign][table], {"nomination_id": nomination_id})

    @asynccontextmanager
    async def of_nomination(self, nomination_id: UUID, part: str) -> AsyncIterator[None]:
        """Around a change of the nomination's facts of `part` (PARTS: its line, its stays
        and state, whether it trained, its vetting cases, or the nomination itself): move the
        aggregates those facts feed from the old contribution to the new one."""
        if self.deferred:
            yield
            return
        tables = PARTS[part]
        await self._one(nomination_id, tables, -1)
        yield
        await self._one(nomination_id, tables, 1)
