"""The cost model: tuition + travel + (lodging + meals + incidentals) x course days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funding.domain.calendar import course_days, days_before_start
from funding.domain.costing import TlaOptions, TlaRate, estimate_cost, select_tla_rate

money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
MATRIX = [
    TlaRate(
        gq, gm, dep, Decimal(30 if gq else 120) + (100 if dep else 0), Decimal(15 if gm else 55)
    )
    for gq in (True, False)
    for gm in (True, False)
    for dep in (True, False)
]


def test_course_days_count_both_the_first_and_the_last_day() -> None:
    start = date(2026, 1, 5)

    days = course_days(start, date(2026, 3, 20))

    assert days == 75
    assert course_days(start, start) == 1


def test_a_class_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot end before"):
        course_days(date(2026, 3, 1), date(2026, 2, 28))


def test_days_before_start_turn_negative_once_the_class_has_started() -> None:
    start = date(2026, 3, 1)

    assert days_before_start(start, date(2026, 1, 1)) == 59
    assert days_before_start(start, date(2026, 3, 3)) == -2


def test_estimate_adds_tuition_travel_and_daily_allowance_times_days() -> None:
    rate = TlaRate(True, True, False, Decimal("30.00"), Decimal("15.00"))

    estimate = estimate_cost(
        tuition=Decimal("9800.00"),
        travel=Decimal("2400.00"),
        rate=rate,
        incidentals_per_day=Decimal("11.00"),
        days=76,
    )

    assert estimate.living.per_day == Decimal("56.00")
    assert estimate.living_allowance == Decimal("4256.00")
    assert estimate.total == Decimal("16456.00")


def test_the_tla_cell_is_chosen_by_quarters_mess_and_dependents() -> None:
    options = TlaOptions(government_quarters=False, government_mess=True, with_dependents=True)

    rate = select_tla_rate(MATRIX, options)

    assert (rate.lodging_per_day, rate.meals_per_day) == (Decimal(220), Decimal(15))


def test_a_missing_tla_cell_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        select_tla_rate(MATRIX[:1], TlaOptions(False, False, False))


def test_negative_rates_are_refused() -> None:
    rate = TlaRate(True, True, False, Decimal("-1.00"), Decimal("15.00"))

    with pytest.raises(ValueError, match="negative"):
        estimate_cost(
            tuition=Decimal(1),
            travel=Decimal(1),
            rate=rate,
            incidentals_per_day=Decimal(11),
            days=3,
        )


@given(
    tuition=money,
    travel=money,
    lodging=money,
    meals=money,
    incidentals=money,
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    length=st.integers(0, 400),
)
def test_estimate_is_exact_to_the_cent_and_grows_with_every_component(
    tuition: Decimal,
    travel: Decimal,
    lodging: Decimal,
    meals: Decimal,
    incidentals: Decimal,
    start: date,
    length: int,
) -> None:
    days = course_days(start, start + timedelta(days=length))
    rate = TlaRate(True, False, False, lodging, meals)

    estimate = estimate_cost(
        tuition=tuition, travel=travel, rate=rate, incidentals_per_day=incidentals, days=days
    )

    assert days == length + 1
    assert estimate.total == tuition + travel + (lodging + meals + incidentals) * days
    assert estimate.total.as_tuple().exponent == -2
    assert estimate.total >= max(tuition, travel, estimate.living_allowance)
