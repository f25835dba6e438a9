"""The facts of a report, filtered by country, fiscal year and region in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select, true
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
    AllocationFact,
    CaseFact,
    CountryRef,
    CourseFact,
    LineFact,
    NominationFact,
    StateSpan,
)


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
                  t.trained, t.completed).where(f.where(t.country, t.fiscal_year))  # fmt: skip
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
