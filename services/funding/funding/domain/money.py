"""Money arithmetic: USD as `Decimal` with 2 places, rounded half-up; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """`value` rounded half-up to whole cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, in cents."""
    return cents(amount * percent / HUNDRED)


def prorate(amount: Decimal, part: int, whole: int) -> Decimal:
    """The share `part / whole` of `amount` (part capped to [0, whole]), in cents."""
    if whole <= 0:
        raise ValueError("the whole must be positive")
    return cents(amount * max(0, min(part, whole)) / whole)
