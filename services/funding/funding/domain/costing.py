"""The cost model of a training line.

cost = tuition (the course's IMET rate for the class's fiscal year)
     + travel (round trip, per country; a default where the country has none)
     + living allowance (TLA): (lodging + meals + incidentals) per day x course days,
       where lodging and meals come from the TLA matrix (government quarters / mess available
       or not, student with dependents or not) and incidentals are a flat daily rate.
Every rate is reference data; this module only does the arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from funding.domain.money import cents

INCIDENTALS_PER_DAY = "incidentals_per_day"
DEFAULT_TRAVEL_COST = "default_travel_cost"


@dataclass(frozen=True)
class TlaRate:
    """One cell of the TLA matrix: daily lodging and meals for a housing situation."""

    government_quarters: bool
    government_mess: bool
    with_dependents: bool
    lodging_per_day: Decimal
    meals_per_day: Decimal


@dataclass(frozen=True)
class TlaOptions:
    government_quarters: bool
    government_mess: bool
    with_dependents: bool


def select_tla_rate(rates: Iterable[TlaRate], options: TlaOptions) -> TlaRate:
    """The matrix cell for `options`; LookupError when the matrix lacks it."""
    for rate in rates:
        if (rate.government_quarters, rate.government_mess, rate.with_dependents) == (
            options.government_quarters,
            options.government_mess,
            options.with_dependents,
        ):
            return rate
    raise LookupError(f"no TLA rate for {options}")


@dataclass(frozen=True)
class LivingAllowance:
    lodging_per_day: Decimal
    meals_per_day: Decimal
    incidentals_per_day: Decimal
    days: int

    @property
    def per_day(self) -> Decimal:
        return self.lodging_per_day + self.meals_per_day + self.incidentals_per_day

    @property
    def total(self) -> Decimal:
        return cents(self.per_day * self.days)


@dataclass(frozen=True)
class CostEstimate:
    tuition: Decimal
    travel: Decimal
    living: LivingAllowance

    @property
    def living_allowance(self) -> Decimal:
        return self.living.total

    @property
    def total(self) -> Decimal:
        return self.tuition + self.travel + self.living_allowance


def estimate_cost(
    *,
    tuition: Decimal,
    travel: Decimal,
    rate: TlaRate,
    incidentals_per_day: Decimal,
    days: int,
) -> CostEstimate:
    """Tuition + travel + (lodging + meals + incidentals) x days; every input is non-negative."""
    if days <= 0:
        raise ValueError("a course lasts at least one day")
    amounts = (tuition, travel, rate.lodging_per_day, rate.meals_per_day, incidentals_per_day)
    if any(a < 0 for a in amounts):
        raise ValueError("costs and rates cannot be negative")
    living = LivingAllowance(rate.lodging_per_day, rate.meals_per_day, incidentals_per_day, days)
    return CostEstimate(tuition=cents(tuition), travel=cents(travel), living=living)
