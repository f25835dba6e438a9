"""The catalog's one clock. Use cases never read the time: they take `now`/`today`, which the
entrypoints (routes, jobs, the seed) take from here and the bootstrap injects into reactions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_today() -> date:
    return utc_now().date()
