"""The read side: what the HTTP routes show (case, registry and unit pages, one case with its
history, duplicates, statistics data). Routes read only through here; lists come back as row
mappings, single resources as domain objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.types import fiscal_year_bounds
from shared.http.pagination import PageParams, paginate
from vetting.adapters.repositories import (
    SqlCaseRepository,
    SqlRegistryRepository,
    SqlUnitRepository,
)
from vetting.adapters.tables import (
    decision,
    decision_confirmation,
    derogatory_unit,
    unit,
    vetting_case,
)
from vetting.domain.case import VettingCase
from vetting.domain.decision import AWAITING_DECISION
from vetting.domain.registry import RegistryEntry
from vetting.domain.registry import unit_key as key_of
from vetting.domain.statistics import DecisionSpan
from vetting.domain.units import Unit

Rows = list[Mapping[str, Any]]


def _rows(rows: Sequence[Any]) -> Rows:
    return [dict(r._mapping) for r in rows]


_AWAITING = [s.value for s in AWAITING_DECISION]


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    country: str | None = None
    overdue: bool | None = None
    flagged: bool | None = None
    nomination_id: UUID | None = None
    candidate_id: UUID | None = None
    fiscal_year: int | None = None
    reason_code: str | None = None
    unit_match: str | None = None
    registry_entry_id: UUID | None = None


def _overdue(today: date) -> Any:
    return and_(vetting_case.c.status.in_(_AWAITING), vetting_case.c.due_on < today)


def _case_where(stmt: Select[Any], f: CaseFilters, today: date) -> Select[Any]:
    c = vetting_case.c
    for column, value in (
        (c.status, f.status),
        (c.country, f.country),
        (c.nomination_id, f.nomination_id),
        (c.candidate_id, f.candidate_id),
        (c.flagged_possible_duplicate, f.flagged),
        (c.reason_code, f.reason_code),
        (c.unit_match, f.unit_match),
        (c.registry_entry_id, f.registry_entry_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.overdue is not None:
        stmt = stmt.where(_overdue(today) if f.overdue else ~_overdue(today))
    if f.fiscal_year is not None:
        first, last = fiscal_year_bounds(f.fiscal_year)
        stmt = stmt.where(c.opened_on.between(first, last))
    return stmt


async def list_cases(
    session: AsyncSession, filters: CaseFilters, page: PageParams, today: date
) -> tuple[Rows, str | None]:
    """Newest first."""
    stmt = _case_where(select(vetting_case), filters, today)
    rows, cursor = await paginate(
        session, stmt, page, [vetting_case.c.opened_at.desc(), vetting_case.c.id.desc()]
    )
    return _rows(rows), cursor


async def one_case(session: AsyncSession, case_id: UUID) -> VettingCase | None:
    """The case with its whole decision history."""
    return await SqlCaseRepository(session).get(case_id)


async def blocking_entry(session: AsyncSession, case: VettingCase) -> UUID | None:
    """The active registry entry that blocks the case's unit now, if any."""
    return await SqlRegistryRepository(session).blocking(
        unit_id=case.unit_id, country=case.country, unit_name=case.unit_name
    )


async def possible_duplicates(
    session: AsyncSession, fingerprint: str, candidate_id: UUID
) -> list[UUID]:
    """Cases of OTHER candidates sharing the person fingerprint (an empty one matches nothing)."""
    if not fingerprint.strip():
        return []
    c = vetting_case.c
    rows = await session.execute(
        select(c.id)
        .where(c.person_fingerprint == fingerprint, c.candidate_id != candidate_id)
        .order_by(c.opened_at.desc(), c.id.desc())
        .limit(50)
    )
    return list(rows.scalars())


async def list_registry(
    session: AsyncSession,
    page: PageParams,
    *,
    country: str | None,
    active: bool | None,
    unit_name: str | None,
) -> tuple[Rows, str | None]:
    """Newest first; `unit_name` matches ignoring case and spacing."""
    u = derogatory_unit.c
    stmt = select(derogatory_unit)
    if country is not None:
        stmt = stmt.where(u.country == country)
    if active is not None:
        stmt = stmt.where(u.remediated_at.is_(None) if active else u.remediated_at.is_not(None))
    if unit_name is not None:
        stmt = stmt.where(u.unit_key == key_of(unit_name))
    rows, cursor = await paginate(session, stmt, page, [u.added_at.desc(), u.id.desc()])
    return _rows(rows), cursor


async def registry_entry(session: AsyncSession, entry_id: UUID) -> RegistryEntry | None:
    return await SqlRegistryRepository(session).get(entry_id)


async def list_units(
    session: AsyncSession,
    page: PageParams,
    *,
    country: str | None,
    name: str | None,
    parent_unit_id: UUID | None,
) -> tuple[Rows, str | None]:
    """Oldest first; `name` matches ignoring case and spacing."""
    stmt = select(unit)
    if country is not None:
        stmt = stmt.where(unit.c.country == country)
    if name is not None:
        stmt = stmt.where(unit.c.name_key == key_of(name))
    if parent_unit_id is not None:
        stmt = stmt.where(unit.c.parent_id == parent_unit_id)
    rows, cursor = await paginate(session, stmt, page, [unit.c.created_at, unit.c.id])
    return _rows(rows), cursor


async def one_unit(session: AsyncSession, unit_id: UUID) -> Unit | None:
    return await SqlUnitRepository(session).get(unit_id)


@dataclass(frozen=True)
class StatusCounts:
    country: str
    open: int
    pending_confirmation: int
    suspended: int
    overdue: int


async def status_counts(
    session: AsyncSession, filters: CaseFilters, today: date
) -> list[StatusCounts]:
    c = vetting_case.c

    def count_when(condition: Any) -> Any:
        return func.count(case((condition, 1)))

    stmt = select(
        c.country,
        count_when(c.status == "open"),
        count_when(c.status == "pending_confirmation"),
        count_when(c.status == "suspended"),
        count_when(_overdue(today)),
    ).group_by(c.country)
    rows = await session.execute(_case_where(stmt, filters, today))
    return [StatusCounts(*row) for row in rows]


async def decision_spans(session: AsyncSession, filters: CaseFilters) -> list[DecisionSpan]:
    """First human results of each vetting cycle that took effect (see domain.statistics)."""
    d, k, c = decision.c, decision_confirmation.c, vetting_case.c
    stmt = (
        select(c.country, d.cycle_started_on, func.coalesce(k.confirmed_on, d.decided_on))
        .select_from(
            decision.join(vetting_case, c.id == d.case_id).outerjoin(
                decision_confirmation, k.decision_id == d.id
            )
        )
        .where(
            d.first_in_cycle,
            ~d.automatic,
            d.result.in_(["approved", "suspended", "denied"]),
            or_(~d.requires_confirmation, k.outcome == "confirmed"),
        )
    )
    rows = await session.execute(_case_where(stmt, filters, date.min))
    return [DecisionSpan(*row) for row in rows]
