"""Cursor encoding, validation and keyset predicates, without a database."""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Uuid,
    select,
)
from sqlalchemy.dialects import postgresql

from shared.http.pagination import (
    InvalidCursor,
    Page,
    PageQuery,
    after,
    decode_cursor,
    encode_cursor,
    sort_keys,
)
from shared.http.problems import PROBLEM_BASE, install_problem_handlers


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


row = Table(
    "row",
    MetaData(),
    Column("at", DateTime(timezone=True)),
    Column("day", Date),
    Column("ref", Uuid),
    Column("name", String),
    Column("n", Integer),
    Column("amount", Numeric(14, 2)),
    Column("flag", Boolean),
    Column("ratio", Float),
    Column("colour", Enum(Colour)),
)
ALL_KEYS = sort_keys(list(row.c))


def test_every_supported_type_round_trips_exactly() -> None:
    values = (
        datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=timezone(timedelta(hours=-5))),
        date(2026, 2, 28),
        uuid.UUID("0b9f3c9e-8a57-4d8c-9e33-2f1f0f5c7a10"),
        'Zoë, "quoted" & /slashed/',
        -(2**63),
        Decimal("12345678901.20"),
        True,
        0.1,
        Colour.BLUE,
    )

    decoded = decode_cursor(encode_cursor(values, ALL_KEYS), ALL_KEYS)

    assert decoded == values
    assert [type(v) for v in decoded] == [type(v) for v in values]
    assert decoded[0].utcoffset() == timedelta(hours=-5)
    assert str(decoded[5]) == "12345678901.20"


def test_a_cursor_is_url_safe_and_carries_no_padding() -> None:
    keys = sort_keys([row.c.name])

    cursor = encode_cursor(["?&=/+ ~"], keys)

    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


@pytest.mark.parametrize(
    "cursor",
    ["", "abc", "abc.", ".abc", "!!!!.abcd", "e30.AAAAAAAAAAAA", "x" * 3000, "a.b.c"],
)
def test_garbage_is_an_invalid_cursor(cursor: str) -> None:
    keys = sort_keys([row.c.at.desc(), row.c.ref.desc()])

    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, keys)


def test_a_tampered_cursor_is_refused() -> None:
    keys = sort_keys([row.c.n])
    encoded, _, checksum = encode_cursor([41], keys).partition(".")
    tampered = encoded[:-2] + ("A" if encoded[-2] != "A" else "B") + encoded[-1]

    with pytest.raises(InvalidCursor):
        decode_cursor(f"{tampered}.{checksum}", keys)


def test_a_cursor_of_another_ordering_is_refused() -> None:
    cursor = encode_cursor([1, "a"], sort_keys([row.c.n.desc(), row.c.name.desc()]))

    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, sort_keys([row.c.n.asc(), row.c.name.asc()]))


def test_a_value_of_the_wrong_type_for_its_column_is_refused() -> None:
    same_name_as_text = Table("row", MetaData(), Column("n", String))
    cursor = encode_cursor(["41"], sort_keys([same_name_as_text.c.n]))

    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, sort_keys([row.c.n]))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("amount", Decimal("NaN")),
        ("ratio", float("inf")),
        ("name", "nul\x00inside"),
        ("n", 2**63),
        ("day", datetime(2026, 1, 1, tzinfo=UTC)),
        ("colour", "green"),
    ],
)
def test_values_the_database_would_choke_on_are_refused(column: str, value: Any) -> None:
    forged = Table("row", MetaData(), Column(column, String))
    cursor = encode_cursor([value], sort_keys([forged.c[column]]))

    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, sort_keys([row.c[column]]))


def test_a_null_sort_key_value_cannot_be_encoded() -> None:
    with pytest.raises(ValueError, match="NOT NULL"):
        encode_cursor([None], sort_keys([row.c.name]))


def test_sort_keys_read_directions_and_refuse_nulls_ordering() -> None:
    keys = sort_keys([row.c.at.desc(), row.c.n.asc(), row.c.ref])

    assert [k.descending for k in keys] == [True, False, False]
    assert [k.expr for k in keys] == [row.c.at, row.c.n, row.c.ref]
    with pytest.raises(ValueError, match="NULLS"):
        sort_keys([row.c.at.desc().nulls_last()])


def _sql(keys_spec: list[Any], values: list[Any]) -> str:
    """The WHERE clause, with every bound parameter (and its cast) shown as `?`."""
    keys = sort_keys(keys_spec)
    stmt = select(row.c.n).where(after(keys, values))
    where = str(stmt.compile(dialect=postgresql.dialect())).split("WHERE", 1)[1].strip()
    return re.sub(r"%\(param_\d+\)s(::[A-Z]+( WITH TIME ZONE)?)?", "?", where)


def test_a_uniform_direction_is_one_row_value_comparison() -> None:
    descending = _sql([row.c.at.desc(), row.c.n.desc()], [datetime.now(UTC), 1])
    ascending = _sql([row.c.day, row.c.n], [date.today(), 1])

    assert descending == "(row.at, row.n) < (?, ?)"
    assert ascending == "(row.day, row.n) > (?, ?)"


def test_mixed_directions_are_an_or_expansion() -> None:
    sql = _sql([row.c.day.asc(), row.c.amount.desc(), row.c.n.asc()], [date.today(), 1, 2])

    assert sql == (
        "row.day > ?"
        " OR row.day = ? AND row.amount < ?"
        " OR row.day = ? AND row.amount = ? AND row.n > ?"
    )


class ThingPublic(BaseModel):
    name: str


class ThingPage(Page[ThingPublic]):
    pass


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    keys = sort_keys([row.c.name])

    @app.get("/things", response_model=Page[ThingPublic])
    async def list_things(page: PageQuery) -> Page[ThingPublic]:
        start = decode_cursor(page.cursor, keys)[0] if page.cursor else ""
        names = [n for n in ("a", "b", "c") if n > start][: page.limit]
        last = names[-1] if names and names[-1] != "c" else None
        return Page[ThingPublic](
            items=[ThingPublic(name=n) for n in names],
            next_cursor=encode_cursor([last], keys) if last else None,
        )

    @app.get("/named-things", response_model=ThingPage)
    async def list_named_things(page: PageQuery) -> ThingPage:
        return ThingPage(items=[], next_cursor=None)

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_a_list_answers_items_and_next_cursor(client: httpx.AsyncClient) -> None:
    first = await client.get("/things", params={"limit": 2})
    second = await client.get("/things", params={"limit": 2, "cursor": first.json()["next_cursor"]})

    assert first.json()["items"] == [{"name": "a"}, {"name": "b"}]
    assert second.json() == {"items": [{"name": "c"}], "next_cursor": None}


async def test_a_garbage_cursor_is_a_400_problem_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.get("/things", params={"cursor": "not-a-cursor"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEM_BASE + "invalid-cursor"


@pytest.mark.parametrize("limit", ["0", "201", "ten"])
async def test_a_limit_outside_1_to_200_is_a_validation_error(
    client: httpx.AsyncClient, limit: str
) -> None:
    response = await client.get("/things", params={"limit": limit})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


def test_a_page_of_a_model_is_a_named_openapi_schema_with_documented_parameters() -> None:
    spec = _app().openapi()

    schemas = spec["components"]["schemas"]
    get = spec["paths"]["/things"]["get"]
    parameters = {p["name"]: p for p in get["parameters"]}
    response = get["responses"]["200"]["content"]["application/json"]
    named = spec["paths"]["/named-things"]["get"]["responses"]["200"]["content"]

    assert response["schema"] == {"$ref": "#/components/schemas/Page_ThingPublic_"}
    page = schemas["Page_ThingPublic_"]
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/ThingPublic"}
    assert set(page["required"]) == {"items", "next_cursor"}
    assert named["application/json"]["schema"] == {"$ref": "#/components/schemas/ThingPage"}
    assert parameters["limit"]["schema"]["maximum"] == 200
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["limit"]["schema"]["default"] == 50
    assert parameters["cursor"]["required"] is False
