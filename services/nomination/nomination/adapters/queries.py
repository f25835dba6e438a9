"""The read side: the lists' queries (filters + keyset order; the caller paginates them), the
rows of a page as domain objects, and the country list. Routes read only through here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Select, bindparam, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from nomination.adapters.repositories.candidates import candidate_of
from nomination.adapters.repositories.nominations import nomination_of
from nomination.adapters.repositories.travel_orders import order_of
from nomination.adapters.tables import candidate, country, nomination, travel_order
from nomination.domain.candidate import Candidate
from nomination.domain.nomination import Nomination
from nomination.domain.reference import Country
from nomination.domain.travel_order import TravelOrder
from shared.db.engine import Reader

NOMINATION_ORDER = (nomination.c.created_at.desc(), nomination.c.id.desc())
CANDIDATE_ORDER = (candidate.c.created_at.desc(), candidate.c.id.desc())
TRAVEL_ORDER_ORDER = (travel_order.c.issued_at.desc(), travel_order.c.id.desc())
_ORDER_STATUS = {
    "current": (travel_order.c.superseded_at.is_(None), travel_order.c.recalled_at.is_(None)),
    "superseded": (travel_order.c.superseded_at.is_not(None),),
    "recalled": (travel_order.c.recalled_at.is_not(None),),
}


def travel_orders(
    *,
    scope_country: str | None,
    country: str | None = None,
    status: str | None = None,
    recall_reason: str | None = None,
    fiscal_year: int | None = None,
    recalled_since: datetime | None = None,
) -> Select[Any]:
    """Travel orders of the nominations matching the filters (an SCO: its own country only)."""
    stmt = select(travel_order).join(nomination, nomination.c.id == travel_order.c.nomination_id)
    if scope_country is not None:
        if country is not None and country != scope_country:
            return stmt.where(false())
        country = scope_country
    if country is not None:
        stmt = stmt.where(nomination.c.country == country)
    if fiscal_year is not None:
        stmt = stmt.where(nomination.c.fiscal_year == fiscal_year)
    if status is not None:
        stmt = stmt.where(*_ORDER_STATUS[status])
    if recall_reason is not None:
        stmt = stmt.where(travel_order.c.recall_reason == recall_reason)
    if recalled_since is not None:
        stmt = stmt.where(travel_order.c.recalled_at >= recalled_since)
    return stmt


def nominations(
    *,
    scope_country: str | None,
    country: str | None = None,
    fiscal_year: int | None = None,
    status: str | None = None,
    class_id: UUID | None = None,
    masl_id: str | None = None,
    candidate_id: UUID | None = None,
) -> Select[Any]:
    """Nominations matching the filters; `scope_country` confines an SCO to its own country."""
    stmt = select(nomination)
    if scope_country is not None:
        if country is not None and country != scope_country:
            return stmt.where(false())
        country = scope_country
    for column, value in (
        (nomination.c.country, country),
        (nomination.c.fiscal_year, fiscal_year),
        (nomination.c.status, status),
        (nomination.c.class_id, class_id),
        (nomination.c.masl_id, masl_id),
        (nomination.c.candidate_id, candidate_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def candidates(*, scope_country: str | None, country: str | None = None) -> Select[Any]:
    stmt = select(candidate)
    if scope_country is not None:
        if country is not None and country != scope_country:
            return stmt.where(false())
        country = scope_country
    if country is not None:
        stmt = stmt.where(candidate.c.country == country)
    return stmt


_CURRENT_ITO = "current_ito__"
# Built once: a statement object memoizes its cache key, so a hot read skips building the select
# and walking it for SQLAlchemy's compiled-statement cache on every request (ADR 0155).
_NOMINATION_DETAIL = select(
    nomination,
    select(travel_order.c.number)
    .where(
        travel_order.c.nomination_id == nomination.c.id,
        travel_order.c.superseded_at.is_(None),
        travel_order.c.recalled_at.is_(None),
    )
    .scalar_subquery()
    .label(_CURRENT_ITO),
).where(nomination.c.id == bindparam("nomination_id"))


async def nomination_detail(
    session: Reader, nomination_id: UUID
) -> tuple[Nomination, str | None] | None:
    """A nomination and the number of its travel order in force, in ONE statement (ADR 0155:
    it was a transaction of two, four round trips with BEGIN and ROLLBACK). Run on an autocommit
    read connection: the statement is its own snapshot."""
    row = (await session.execute(_NOMINATION_DETAIL, {"nomination_id": nomination_id})).first()
    if row is None:
        return None
    values = dict(row._mapping)
    number = values.pop(_CURRENT_ITO)
    return Nomination(**values), number


def nominations_of(rows: list[Row[Any]]) -> list[Nomination]:
    return [nomination_of(r) for r in rows]


def candidates_of(rows: list[Row[Any]]) -> list[Candidate]:
    return [candidate_of(r) for r in rows]


def orders_of(rows: list[Row[Any]]) -> list[TravelOrder]:
    return [order_of(r) for r in rows]


async def all_countries(session: AsyncSession) -> list[Country]:
    """Every country of the reference data, by ISO code (about 150 at most)."""
    rows = (await session.execute(select(country).order_by(country.c.iso3))).all()
    return [Country(**r._mapping) for r in rows]
