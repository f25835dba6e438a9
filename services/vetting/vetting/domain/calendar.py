"""Working days: Monday to Friday except the U.S. federal holidays of 5 U.S.C. 6103.

Holidays (subsection (a)): New Year's Day (Jan 1), Birthday of Martin Luther King, Jr. (3rd
Monday of January, since 1986), Washington's Birthday (3rd Monday of February), Memorial Day
(last Monday of May), Juneteenth National Independence Day (June 19, since 2021), Independence
Day (July 4), Labor Day (1st Monday of September), Columbus Day (2nd Monday of October),
Veterans Day (Nov 11), Thanksgiving Day (4th Thursday of November), Christmas Day (Dec 25).

Observed days (subsection (b), Executive Order 11582): a fixed-date holiday on a Saturday is
observed the Friday before, on a Sunday the Monday after. So New Year's Day 2022 (a Saturday)
was observed on Friday 2021-12-31: a year's observed holidays can include the next year's.
Inauguration Day (subsection (c)) applies only in the Washington D.C. area and is not counted.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

MONDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = 0, 3, 4, 5, 6


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) `weekday` (Monday = 0) of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def last_weekday(year: int, month: int, weekday: int) -> date:
    """The last `weekday` (Monday = 0) of a month."""
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def observed(day: date) -> date:
    """When a fixed-date holiday is observed: Saturday -> Friday before, Sunday -> Monday after."""
    if day.weekday() == SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == SUNDAY:
        return day + timedelta(days=1)
    return day


def legal_holidays(year: int) -> dict[date, str]:
    """The legal public holidays of a year on their actual dates (not shifted)."""
    days = {
        date(year, 1, 1): "New Year's Day",
        nth_weekday(year, 2, MONDAY, 3): "Washington's Birthday",
        last_weekday(year, 5, MONDAY): "Memorial Day",
        date(year, 7, 4): "Independence Day",
        nth_weekday(year, 9, MONDAY, 1): "Labor Day",
        nth_weekday(year, 10, MONDAY, 2): "Columbus Day",
        date(year, 11, 11): "Veterans Day",
        nth_weekday(year, 11, THURSDAY, 4): "Thanksgiving Day",
        date(year, 12, 25): "Christmas Day",
    }
    if year >= 1986:
        days[nth_weekday(year, 1, MONDAY, 3)] = "Birthday of Martin Luther King, Jr."
    if year >= 2021:
        days[date(year, 6, 19)] = "Juneteenth National Independence Day"
    return days


@lru_cache(maxsize=256)
def observed_holidays(year: int) -> frozenset[date]:
    """Every day of `year` on which federal offices are closed for a holiday.

    Shifting is a no-op for the Monday/Thursday holidays, so every holiday goes through it.
    """
    shifted = (observed(day) for y in (year, year + 1) for day in legal_holidays(y))
    return frozenset(day for day in shifted if day.year == year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an observed federal holiday."""
    return day.weekday() < SATURDAY and day not in observed_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (`start` itself is not counted).

    `count` 0 gives `start` itself. Opened on a Friday with 1 working day due -> the next
    working day (Monday, or Tuesday after a Monday holiday).
    """
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    day = start + timedelta(days=7 * full_weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        if day.weekday() < SATURDAY:
            count += 1
    for year in range(start.year, end.year + 1):
        count -= sum(
            1 for h in observed_holidays(year) if start < h <= end and h.weekday() < SATURDAY
        )
    return count
