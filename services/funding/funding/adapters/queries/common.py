"""What the read-side modules share: a list's rows as plain dicts with the next cursor, optional
equality filters, a single row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.http.pagination import PageParams, paginate

Rows = tuple[list[dict[str, Any]], str | None]


def where_equal(stmt: Select[Any], *filters: tuple[ColumnElement[Any], object]) -> Select[Any]:
    """`stmt` filtered on `column = value` for each filter that was given (not None)."""
    for column, value in filters:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


async def page_rows(
    session: AsyncSession, stmt: Select[Any], page: PageParams, order: list[Any]
) -> Rows:
    rows, next_cursor = await paginate(session, stmt, page, order)
    return [dict(r._mapping) for r in rows], next_cursor


async def one_row(session: AsyncSession, stmt: Select[Any]) -> dict[str, Any] | None:
    row = (await session.execute(stmt)).first()
    return None if row is None else dict(row._mapping)
