"""Small statistics the reports share: median and nearest-rank percentiles, working days."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def median(values: Sequence[Decimal | int]) -> Decimal | None:
    """The middle value (the mean of the two middle ones), to a tenth; None when empty."""
    if not values:
        return None
    ordered = sorted(Decimal(v) for v in values)
    mid = len(ordered) // 2
    value = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def percentile(values: Sequence[Decimal | int], p: int) -> Decimal | None:
    """Nearest-rank percentile `p` (1..100): the smallest value with p% at or below it."""
    if not values:
        return None
    ordered = sorted(Decimal(v) for v in values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1].quantize(TENTH, rounding=ROUND_HALF_UP)


def _nth(counts: Mapping[int, int], k: int) -> int:
    """The k-th smallest (0-based) of the values counted."""
    for value in sorted(counts):
        if k < counts[value]:
            return value
        k -= counts[value]
    raise IndexError(k)


def median_of_counts(counts: Mapping[int, int]) -> Decimal | None:
    """`median` of the values `counts` holds (value -> how many times)."""
    n = sum(counts.values())
    if n == 0:
        return None
    mid = n // 2
    value = Decimal(_nth(counts, mid)) if n % 2 else Decimal(
        _nth(counts, mid - 1) + _nth(counts, mid)) / 2  # fmt: skip
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def percentile_of_counts(counts: Mapping[int, int], p: int) -> Decimal | None:
    """`percentile` of the values `counts` holds (value -> how many times)."""
    n = sum(counts.values())
    if n == 0:
        return None
    rank = max(1, math.ceil(p / 100 * n))
    return Decimal(_nth(counts, rank - 1)).quantize(TENTH, rounding=ROUND_HALF_UP)


def working_days_between(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end` (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count
