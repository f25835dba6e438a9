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

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import Insert, Select, Table, Uuid, and_, bindparam, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.aggregate_sources import (
    ADDITIVE,
    ALL_COUNTRIES,
    ALL_YEARS,
    DISTINCT,
    Which,
    everything,
    one,
    weekdays_to,
)
from reporting.adapters.aggregate_tables import (
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

__all__ = ["ALL_COUNTRIES", "ALL_YEARS", "SqlAggregates", "as_sql", "everything", "one",
           "statements", "weekdays_to"]  # fmt: skip


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


def statements(which: Which, sign: int, only: Collection[str] | None = None) -> list[Insert]:
    """What adds (`sign` 1) or subtracts (-1) the contribution of the nominations `which`
    picks to every aggregate (or to those named in `only`: a migration fills the tables it
    creates, not the ones later migrations add)."""

    def wanted(table: Table) -> bool:
        return only is None or table.name in only

    out = [_add(table, source(which), sign) for table, source in ADDITIVE if wanted(table)]
    out += [_distinct(refs, source(which), counts, sign)
            for refs, source, counts in DISTINCT if wanted(refs)]  # fmt: skip
    return out


def as_sql(stmt: Insert) -> str:
    """A statement as PostgreSQL text with its values inline (the bench loader's COPY path)."""
    compiled = stmt.compile(dialect=asyncpg_dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled)  # asyncpg's parameter style: `%` stays `%`


# What each kind of fact feeds (an event changes the facts of one kind, or the nomination's own).
PARTS: dict[str, tuple[Table, ...]] = {
    "line": (line_total,),
    "stays": (funnel_count, funnel_stay, funnel_open),
    "trained": (fmtr_student, fmtr_country_student, fmtr_unit, line_total),
    "unit": (fmtr_unit,),
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
