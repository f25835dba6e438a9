"""Read-side queries of the lists (filters + keyset order); the caller paginates them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, false, select

from nomination.adapters.tables import candidate, nomination, travel_order

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
