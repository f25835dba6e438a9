"""Keyset pagination against real PostgreSQL, over a table the test creates in the probe schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Uuid,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import registry

from shared.http.pagination import AnyRow, InvalidCursor, PageParams, SortKeyLike, paginate
from tests.helpers.fixtures import RuntimeFactory

NAMES = ("alpha", "bravo", "charlie")  # plain lowercase ASCII: same order in any collation
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def page_table() -> Table:
    return Table(
        f"page_row_{uuid.uuid4().hex[:10]}",
        MetaData(schema="probe"),
        Column("id", Uuid, primary_key=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("day", Date, nullable=False),
        Column("amount", Numeric(14, 2), nullable=False),
        Column("name", String(20), nullable=False),
        Column("n", Integer, nullable=False),
    )


def rows_of(count: int, start: int = 0, shift: timedelta = timedelta(0)) -> list[dict[str, Any]]:
    """Rows with many ties in every key but `id`, so the tie-breaker matters."""
    return [
        {
            "id": uuid.uuid4(),
            "created_at": BASE + shift + timedelta(minutes=i % 7),
            "day": date(2026, 3, 1) + timedelta(days=i % 5),
            "amount": Decimal(i % 4) + Decimal("0.25"),
            "name": NAMES[i % 3],
            "n": i,
        }
        for i in range(start, start + count)
    ]


@pytest.fixture
async def table(make_runtime: RuntimeFactory) -> AsyncIterator[tuple[Table, AsyncSession]]:
    runtime = await make_runtime("probe")
    table = page_table()
    async with runtime.engine.begin() as conn:
        await conn.run_sync(table.create)
        await conn.execute(insert(table), rows_of(53))
    try:
        async with runtime.sessions() as session:
            yield table, session
    finally:
        async with runtime.engine.begin() as conn:
            await conn.run_sync(table.drop)


async def all_pages(
    session: AsyncSession,
    stmt: Any,
    order_by: Sequence[SortKeyLike],
    limit: int,
    between: Any = None,
) -> list[list[AnyRow]]:
    pages: list[list[AnyRow]] = []
    cursor = None
    while True:
        rows, cursor = await paginate(
            session, stmt, PageParams(limit=limit, cursor=cursor), order_by
        )
        pages.append(rows)
        if cursor is None:
            return pages
        if between is not None:
            await between(len(pages))
        assert len(pages) < 100, "pagination does not end"


async def test_53_rows_by_newest_first_are_6_pages_in_order_without_gaps_or_duplicates(
    table: tuple[Table, AsyncSession],
) -> None:
    t, session = table
    everything = (await session.execute(select(t.c.id, t.c.created_at))).all()
    expected = [r.id for r in sorted(everything, key=lambda r: (r.created_at, r.id), reverse=True)]

    pages = await all_pages(
        session, select(t.c.id, t.c.name), [t.c.created_at.desc(), t.c.id.desc()], 10
    )

    assert [len(p) for p in pages] == [10, 10, 10, 10, 10, 3]
    assert [row.id for page in pages for row in page] == expected
    assert all(len(row) == 2 for page in pages for row in page)
    assert set(pages[0][0]._mapping) == {"id", "name"}


async def test_mixed_directions_over_date_decimal_text_and_uuid_keys_page_in_order(
    table: tuple[Table, AsyncSession],
) -> None:
    t, session = table
    everything = (await session.execute(select(t))).all()
    expected = [r.id for r in sorted(everything, key=lambda r: (r.day, -r.amount, r.name, r.id))]
    order = [t.c.day.asc(), t.c.amount.desc(), t.c.name, t.c.id.asc()]

    pages = await all_pages(session, select(t), order, 10)

    assert [len(p) for p in pages] == [10, 10, 10, 10, 10, 3]
    assert [row.id for page in pages for row in page] == expected


async def test_a_page_keeps_the_statements_filters(table: tuple[Table, AsyncSession]) -> None:
    t, session = table

    pages = await all_pages(session, select(t.c.n).where(t.c.name == "bravo"), [t.c.n.desc()], 4)

    assert [row.n for page in pages for row in page] == sorted(range(1, 53, 3), reverse=True)
    assert [len(p) for p in pages] == [4, 4, 4, 4, 2]


async def test_rows_inserted_between_pages_neither_repeat_nor_hide_existing_rows(
    table: tuple[Table, AsyncSession],
) -> None:
    t, session = table
    original = set((await session.execute(select(t.c.id))).scalars())
    newer = rows_of(10, start=1000, shift=timedelta(days=1))  # before the position: never seen
    older = rows_of(10, start=2000, shift=-timedelta(days=1))  # after the position: all seen
    inserted: list[dict[str, Any]] = []

    async def insert_some(_: int) -> None:
        batch = [newer.pop(), older.pop()]
        await session.execute(insert(t), batch)
        await session.commit()
        inserted.extend(batch)

    pages = await all_pages(
        session, select(t.c.id), [t.c.created_at.desc(), t.c.id.desc()], 10, insert_some
    )

    seen = [row.id for page in pages for row in page]
    assert len(seen) == len(set(seen))
    assert original <= set(seen)
    assert len(inserted) == 10
    assert {r["id"] for r in inserted if r["n"] >= 2000} <= set(seen)
    assert not {r["id"] for r in inserted if r["n"] < 2000} & set(seen)


async def test_an_exact_multiple_of_the_limit_ends_without_an_empty_page(
    table: tuple[Table, AsyncSession],
) -> None:
    t, session = table

    pages = await all_pages(session, select(t.c.id).where(t.c.n < 20), [t.c.id], 10)

    assert [len(p) for p in pages] == [10, 10]


async def test_a_filter_matching_nothing_is_one_empty_last_page(
    table: tuple[Table, AsyncSession],
) -> None:
    t, session = table

    rows, next_cursor = await paginate(
        session, select(t).where(t.c.n < 0), PageParams(limit=10), [t.c.id]
    )

    assert rows == []
    assert next_cursor is None


async def test_a_garbage_cursor_is_refused_before_the_query(
    table: tuple[Table, AsyncSession],
) -> None:
    t, session = table

    with pytest.raises(InvalidCursor):
        await paginate(session, select(t), PageParams(limit=10, cursor="garbage.cursor"), [t.c.id])


async def test_orm_entities_page_with_their_mapped_attributes_as_keys(
    table: tuple[Table, AsyncSession],
) -> None:
    t, session = table

    class Item:
        id: uuid.UUID
        n: int

    registry().map_imperatively(Item, t)

    pages = await all_pages(session, select(Item), [Item.n.desc(), Item.id], 20)

    assert [len(p) for p in pages] == [20, 20, 13]
    assert all(len(row) == 1 and isinstance(row[0], Item) for page in pages for row in page)
    assert [row[0].n for page in pages for row in page] == list(range(52, -1, -1))
