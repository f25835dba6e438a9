"""Date arithmetic of training lines: course days and lead time before a class starts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from shared.contracts.types import fiscal_year_bounds, fiscal_year_of

__all__ = ["Clock", "course_days", "days_before_start", "fiscal_year_bounds", "fiscal_year_of"]


def course_days(start: date, end: date) -> int:
    """Calendar days of a class, both ends included (end - start + 1)."""
    if end < start:
        raise ValueError("a class cannot end before it starts")
    return (end - start).days + 1


def days_before_start(start: date, on: date) -> int:
    """How many days before the class start `on` is (negative once the class has started)."""
    return (start - on).days


Clock = Callable[[], datetime]
"""The time, as the bootstrap reads it (the one place that does); use cases take `now`/`today`."""
