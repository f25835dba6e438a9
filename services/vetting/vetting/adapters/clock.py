"""The time source: the current instant and the calendar day at the vetting office."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from vetting.domain.case import Clock


def clock_now(timezone: ZoneInfo) -> Clock:
    """Now, with the day as seen in `timezone` (due dates and validity count office days)."""
    at = datetime.now(UTC)
    return Clock(at=at, on=at.astimezone(timezone).date())
