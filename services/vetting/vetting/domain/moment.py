"""When something happens: the instant, and the calendar day at the vetting office.

Due dates and validity count the office's days (`business_timezone`), so every rule that needs
the time takes a `Moment` - both at once, decided together. Use cases take it as `now`; only
the bootstrap's clock reads the time (`Clock`), and entrypoints pass what it gives them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Moment:
    at: datetime
    on: date

    @classmethod
    def at_office(cls, instant: datetime, timezone: ZoneInfo) -> Moment:
        """`instant` (timezone-aware), with the day it is in `timezone`."""
        return cls(at=instant, on=instant.astimezone(timezone).date())


# A source of moments: the bootstrap builds the real one; tests pass fixed ones.
Clock = Callable[[], Moment]
