"""One cell, as text: plain for machines (CSV, JSON), formatted for people (PDF).

Money is exact to the cent: a value with a fraction of a cent is refused rather than rounded,
since the amounts come from the ledgers already in cents and a silent rounding would make a
report disagree with them.
"""

from __future__ import annotations

from decimal import Decimal

from .table import Column

CENT = Decimal("0.01")


def money(value: Decimal | int) -> Decimal:
    amount = Decimal(value)
    cents = amount.quantize(CENT)
    if cents != amount:
        raise ValueError(f"{value} is not a whole number of cents")
    return cents


def plain(column: Column, value: object) -> str:
    """A machine-readable cell: `1234.50` (money), `12.5` (percent), `42`; empty for None."""
    if value is None:
        return ""
    if column.kind == "money":
        return str(money(value))  # type: ignore[arg-type]
    return str(value)


def shown(column: Column, value: object) -> str:
    """A cell for people: `1,234.50`, `12.5%`, `1,200`; empty for None."""
    if value is None:
        return ""
    if column.kind == "money":
        return f"{money(value):,.2f}"  # type: ignore[arg-type]
    if column.kind == "int":
        return f"{value:,}"
    if column.kind == "percent":
        return f"{value}%"
    return str(value)


def json_value(column: Column, value: object) -> object:
    """JSON keeps ints as numbers and sends money and percents as exact decimal strings."""
    if value is None or column.kind == "int":
        return value
    return plain(column, value)
