"""Working days: weekends and the federal holidays of 5 U.S.C. 6103, with observed-day shifts."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from vetting.domain.calendar import (
    add_working_days,
    is_working_day,
    observed_holidays,
    working_days_between,
)

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


def test_the_2026_federal_holidays_are_the_eleven_observed_days() -> None:
    holidays = observed_holidays(2026)

    assert sorted(holidays) == [
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),
        date(2026, 9, 7),
        date(2026, 10, 12),
        date(2026, 11, 11),
        date(2026, 11, 26),
        date(2026, 12, 25),
    ]


def test_a_saturday_holiday_is_observed_on_the_friday_before() -> None:
    independence_day_on_saturday = date(2026, 7, 4)

    assert date(2026, 7, 3) in observed_holidays(2026)
    assert independence_day_on_saturday not in observed_holidays(2026)


def test_a_sunday_holiday_is_observed_on_the_monday_after() -> None:
    new_year_2023_on_sunday = date(2023, 1, 1)

    assert date(2023, 1, 2) in observed_holidays(2023)
    assert new_year_2023_on_sunday not in observed_holidays(2023)


def test_new_year_on_a_saturday_is_observed_on_the_last_day_of_the_year_before() -> None:
    holidays_2021, holidays_2022 = observed_holidays(2021), observed_holidays(2022)

    assert date(2021, 12, 31) in holidays_2021
    assert not any(day.month == 1 and day.day < 3 for day in holidays_2022)


def test_juneteenth_counts_from_2021_and_shifts_like_the_other_fixed_holidays() -> None:
    assert date(2020, 6, 19) not in observed_holidays(2020)
    assert date(2021, 6, 18) in observed_holidays(2021)
    assert date(2022, 6, 20) in observed_holidays(2022)


def test_martin_luther_king_day_counts_from_1986() -> None:
    assert date(1985, 1, 21) not in observed_holidays(1985)
    assert date(1986, 1, 20) in observed_holidays(1986)


def test_ten_working_days_after_a_friday_skip_weekends_and_thanksgiving() -> None:
    opened_friday = date(2026, 11, 20)

    due = add_working_days(opened_friday, 10)

    assert due == date(2026, 12, 7)


def test_a_case_opened_on_a_saturday_is_due_a_working_day_later_on_monday() -> None:
    assert add_working_days(date(2026, 11, 21), 1) == date(2026, 11, 23)


def test_christmas_and_the_observed_new_year_are_skipped() -> None:
    assert add_working_days(date(2027, 12, 23), 2) == date(2027, 12, 28)
    assert add_working_days(date(2027, 12, 30), 1) == date(2028, 1, 3)


def test_working_days_between_counts_the_end_but_not_the_start() -> None:
    assert working_days_between(date(2026, 11, 20), date(2026, 12, 7)) == 10
    assert working_days_between(date(2026, 11, 25), date(2026, 11, 27)) == 1
    assert working_days_between(date(2026, 12, 7), date(2026, 11, 20)) == 0


@given(DAYS)
def test_every_observed_holiday_falls_on_a_weekday(day: date) -> None:
    assert all(h.weekday() < 5 for h in observed_holidays(day.year))


@given(DAYS, st.integers(min_value=0, max_value=80))
def test_adding_working_days_lands_on_a_working_day_that_many_working_days_later(
    start: date, count: int
) -> None:
    due = add_working_days(start, count)

    assert working_days_between(start, due) == count
    assert (due - start).days >= count
    if count:
        assert is_working_day(due)


@given(DAYS, st.integers(min_value=0, max_value=60))
def test_working_days_between_agrees_with_counting_day_by_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)

    counted = sum(1 for i in range(1, span + 1) if is_working_day(start + timedelta(days=i)))

    assert working_days_between(start, end) == counted
