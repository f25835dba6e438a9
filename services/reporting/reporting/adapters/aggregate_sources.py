"""The sources of the pre-aggregated projections (ADR 0140): for each aggregate table, the
SELECT of the facts grouped by its key, of the nominations `which` picks (a predicate on a
nomination id column). `aggregates.py` adds or subtracts them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Date,
    Integer,
    Select,
    Table,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.sql.elements import ColumnElement

from reporting.adapters.aggregate_tables import (
    fmtr_cell,
    fmtr_country,
    fmtr_country_student,
    fmtr_student,
    fmtr_unit,
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


def _fmtr_unit(which: Which) -> Select[Any]:
    n = nomination.c
    return (
        select(n.fiscal_year, n.country, n.masl_id, n.unit_name, func.count().label("students"))
        .where(n.trained.is_(True), n.unit_name.is_not(None), which(n.nomination_id))
        .group_by(n.fiscal_year, n.country, n.masl_id, n.unit_name)
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
    (fmtr_unit, _fmtr_unit),
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
