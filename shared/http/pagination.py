"""Cursor (keyset) pagination: `?limit=&cursor=` -> `{"items": [...], "next_cursor": "..."|null}`.

A page is the `limit` rows that follow the cursor in a total order given by sort keys, e.g.
`(created_at DESC, id DESC)`; the cursor carries the sort-key values of the page's last row.
Never an OFFSET: a row inserted or deleted between two requests neither repeats nor skips a row
that existed all along.

Invariants:
- The sort keys must be NOT NULL and, together, unique (end with the primary key): keyset
  comparison is undefined for NULL and would skip ties otherwise. A NULL key raises ValueError.
- A cursor is opaque: URL-safe base64 of compact JSON `[order, values]` plus a checksum, where
  `order` fingerprints the sort keys and `values` are type-tagged (datetime, date, UUID, str, int,
  Decimal, bool, float) so they round-trip exactly. It is validated, not signed: it only holds
  values of a row the caller already saw, and the query's own filters still apply, so a forged
  cursor can do no more than choose where a page starts. Anything that does not decode, fails
  the checksum, belongs to another ordering or holds a value of the wrong type is refused with
  400 problem+json `invalid-cursor` before the database is touched.
- Uniform direction uses one row-value comparison `(a, b) < (:a, :b)` (an index on `(a, b)`
  serves it); mixed directions use the OR-expansion `a > :a OR (a = :a AND b < :b)`.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, literal, or_, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from shared.db.engine import Reader
from shared.errors import DomainError

T = TypeVar("T")
AnySelect = Select[*tuple[Any, ...]]
AnyRow = Row[*tuple[Any, ...]]
SortKeyLike = ColumnElement[Any] | QueryableAttribute[Any]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 2048
_INT64 = 2**63
_SALT = b"imet-cursor-v1"
_DIRECTIONS = (operators.asc_op, operators.desc_op)


class InvalidCursor(DomainError):
    code = "invalid-cursor"
    status = 400
    title = "Invalid cursor"


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `?cursor=` for the next one.

    `Page[CoursePublic]` is the OpenAPI schema `Page_CoursePublic_`; subclass it
    (`class CoursePage(Page[CoursePublic])`) for the schema to be named `CoursePage`.
    """

    items: list[T]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")


class PageParams:
    """The `?limit=&cursor=` query parameters of a list endpoint."""

    def __init__(
        self,
        limit: Annotated[
            int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-200).")
        ] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None,
            Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
        ] = None,
    ) -> None:
        self.limit = limit
        self.cursor = cursor


async def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-200).")
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
    ] = None,
) -> PageParams:
    """The page parameters; `async` so FastAPI does not run it in a worker thread (it would for
    the class itself: a thread hop per list request, ADR 0120)."""
    return PageParams(limit, cursor)


PageQuery = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True)
class SortKey:
    expr: ColumnElement[Any]
    descending: bool


def sort_keys(order_by: Sequence[SortKeyLike]) -> tuple[SortKey, ...]:
    """`(t.c.created_at.desc(), t.c.id.desc())` -> sort keys; a bare column is ascending."""
    if not order_by:
        raise ValueError("keyset pagination needs at least one sort key")
    keys = []
    for item in order_by:
        expr: Any = item.__clause_element__() if isinstance(item, QueryableAttribute) else item
        descending = False
        if isinstance(expr, UnaryExpression) and expr.modifier in _DIRECTIONS:
            descending = expr.modifier is operators.desc_op
            expr = expr.element
        if isinstance(expr, UnaryExpression):
            raise ValueError("NULLS FIRST/LAST is not supported: sort keys must be NOT NULL")
        keys.append(SortKey(expr, descending))
    return tuple(keys)


def _order_fingerprint(keys: Sequence[SortKey]) -> str:
    spec = ",".join(f"{k.expr}:{'d' if k.descending else 'a'}" for k in keys)
    return hashlib.sha256(spec.encode()).hexdigest()[:12]


def _checksum(payload: bytes) -> str:
    return _b64(hashlib.sha256(_SALT + payload).digest()[:9])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _tag(value: Any) -> list[Any]:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None:
        raise ValueError("a sort key value is NULL: keyset sort keys must be NOT NULL")
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, uuid.UUID):
        return ["u", str(value)]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    if isinstance(value, float):
        return ["f", repr(value)]
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _untag(item: Any) -> Any:
    """The value of a tagged item; ValueError/TypeError for anything malformed."""
    tag, raw = item  # not a pair: ValueError/TypeError
    if tag == "b" and isinstance(raw, bool):
        return raw
    if tag == "i" and type(raw) is int and -_INT64 <= raw < _INT64:
        return raw
    if not isinstance(raw, str):
        raise TypeError("malformed cursor value")
    if tag == "s" and "\x00" not in raw:
        return raw
    if tag in _PARSERS:
        value = _PARSERS[tag](raw)
        if isinstance(value, Decimal | float) and not math.isfinite(value):
            raise ValueError("non-finite number")
        return value
    raise ValueError("malformed cursor value")


_PARSERS: dict[str, Callable[[str], Any]] = {
    "t": datetime.fromisoformat,
    "d": date.fromisoformat,
    "u": uuid.UUID,
    "n": Decimal,
    "f": float,
}


def _fits(value: Any, expr: ColumnElement[Any]) -> Any:
    """`value` as the sort key's Python type; ValueError when it cannot be."""
    try:
        expected = expr.type.python_type
    except NotImplementedError:
        return value
    if issubclass(expected, enum.Enum):
        return expected(value)
    if expected is date and isinstance(value, datetime):
        raise ValueError("a datetime where a date is expected")
    if expected is float and isinstance(value, int | Decimal) and not isinstance(value, bool):
        return float(value)
    if expected is Decimal and isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if expected is int and isinstance(value, bool):
        raise ValueError("a bool where an int is expected")
    if not isinstance(value, expected):
        raise ValueError(f"a {type(value).__name__} where a {expected.__name__} is expected")
    return value


def encode_cursor(values: Sequence[Any], keys: Sequence[SortKey]) -> str:
    """The cursor that continues after a row whose sort-key values are `values`."""
    if len(values) != len(keys):
        raise ValueError("one value per sort key")
    payload = json.dumps(
        [_order_fingerprint(keys), [_tag(v) for v in values]], separators=(",", ":")
    ).encode()
    return f"{_b64(payload)}.{_checksum(payload)}"


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> tuple[Any, ...]:
    """The sort-key values a cursor carries; InvalidCursor for anything else."""
    try:
        encoded, _, checksum = cursor.partition(".")
        if len(cursor) > MAX_CURSOR_LENGTH or not encoded or not checksum:
            raise ValueError("not a cursor")
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        if not hmac.compare_digest(checksum, _checksum(payload)):
            raise ValueError("checksum mismatch")
        order, tagged = json.loads(payload, parse_constant=_refuse_constant)
        if order != _order_fingerprint(keys):
            raise ValueError("cursor of another ordering")
        if not isinstance(tagged, list) or len(tagged) != len(keys):
            raise ValueError("wrong number of values")
        return tuple(_fits(_untag(item), key.expr) for item, key in zip(tagged, keys, strict=True))
    except (ValueError, TypeError, InvalidOperation, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor(
            "The cursor is not one this list issued; start again without a cursor."
        ) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a cursor")


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """The predicate "comes after the row with these sort-key values" in the keys' order."""
    bound = [literal(v, type_=k.expr.type) for k, v in zip(keys, values, strict=True)]
    directions = {k.descending for k in keys}
    if len(keys) == 1 or len(directions) == 1:
        left = tuple_(*(k.expr for k in keys)) if len(keys) > 1 else keys[0].expr
        right = tuple_(*bound) if len(keys) > 1 else bound[0]
        return left < right if keys[0].descending else left > right
    branches = []
    for i, key in enumerate(keys):
        ties = [keys[j].expr == bound[j] for j in range(i)]
        step = key.expr < bound[i] if key.descending else key.expr > bound[i]
        branches.append(and_(*ties, step))
    return or_(*branches)


async def paginate(
    session: Reader,
    stmt: AnySelect,
    params: PageParams,
    order_by: Sequence[SortKeyLike],
) -> tuple[list[AnyRow], str | None]:
    """The page of `stmt` after `params.cursor`, and the cursor of the next page (None at the end).

    `stmt` carries the list's filters but no ORDER BY or LIMIT: this sets both from `order_by`.
    Rows have the shape `stmt` selects (`select(Course)` -> `row[0]` is the entity).
    """
    keys = sort_keys(order_by)
    query = stmt.order_by(None).order_by(
        *(k.expr.desc() if k.descending else k.expr.asc() for k in keys)
    )
    if params.cursor is not None:
        query = query.where(after(keys, decode_cursor(params.cursor, keys)))
    query = query.add_columns(*(k.expr.label(f"_page_key_{i}") for i, k in enumerate(keys)))
    result = (await session.execute(query.limit(params.limit + 1))).freeze()
    rows = result().all()
    if not rows:
        return [], None
    width = len(rows[0]) - len(keys)
    next_cursor = None
    if len(rows) > params.limit:
        next_cursor = encode_cursor(tuple(rows[params.limit - 1])[width:], keys)
    return list(result().columns(*range(width)).all()[: params.limit]), next_cursor
