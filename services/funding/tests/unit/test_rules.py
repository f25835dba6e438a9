"""Appropriation, allocation, obligation-decision and planning rules."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from funding.domain.allocation import (
    AllocationBalance,
    TrancheSpec,
    check_allocation_fits,
    check_appropriation,
    check_reduction,
)
from funding.domain.availability import TrancheState
from funding.domain.errors import (
    AllocationBelowCommitted,
    AllocationsExceedAppropriation,
    AppropriationBelowAllocated,
    InvalidTranches,
)
from funding.domain.obligation import (
    NotYetAvailable,
    Rejection,
    RejectionReason,
    decide_obligation,
)
from funding.domain.planning import PlanningCheck

FY = 2031
ON = date(2031, 3, 1)


def tranche(amount: str, until: date = date(2031, 9, 30), drawn: str = "0") -> TrancheState:
    return TrancheState(uuid.uuid4(), FY, Decimal(amount), until, Decimal(drawn))


def test_tranches_must_add_up_to_the_appropriation_and_start_no_earlier_than_the_fiscal_year() -> (
    None
):
    ok = [TrancheSpec(Decimal(90), date(2031, 9, 30)), TrancheSpec(Decimal(10), date(2032, 9, 30))]

    check_appropriation(FY, Decimal(100), ok, allocated=Decimal(100))
    with pytest.raises(InvalidTranches, match="add up"):
        check_appropriation(FY, Decimal(101), ok, allocated=Decimal(0))
    with pytest.raises(InvalidTranches, match="expire before"):
        check_appropriation(
            FY, Decimal(5), [TrancheSpec(Decimal(5), date(2030, 9, 30))], allocated=Decimal(0)
        )
    with pytest.raises(InvalidTranches, match="same day"):
        check_appropriation(
            FY, Decimal(2), [TrancheSpec(Decimal(1), date(2031, 9, 30))] * 2, allocated=Decimal(0)
        )


def test_an_appropriation_cannot_drop_below_its_allocations() -> None:
    with pytest.raises(AppropriationBelowAllocated):
        check_appropriation(
            FY, Decimal(50), [TrancheSpec(Decimal(50), date(2031, 9, 30))], allocated=Decimal(51)
        )


def test_allocations_fit_the_appropriation_to_the_cent() -> None:
    check_allocation_fits(Decimal("100.00"), Decimal("60.00"), Decimal("40.00"))

    with pytest.raises(AllocationsExceedAppropriation):
        check_allocation_fits(Decimal("100.00"), Decimal("60.00"), Decimal("40.01"))


def test_an_allocation_is_never_reduced_below_what_is_used_against_it() -> None:
    balance = AllocationBalance(
        Decimal(100), obligated=Decimal(30), charged=Decimal(5), lapsed=Decimal(5)
    )

    check_reduction(balance, Decimal(40))
    with pytest.raises(AllocationBelowCommitted):
        check_reduction(balance, Decimal("39.99"))


def test_a_refusal_names_the_first_thing_missing() -> None:
    room = AllocationBalance(Decimal(1000))

    def decide(**kw: object) -> object:
        args: dict[str, object] = {
            "amount": Decimal(100),
            "on": ON,
            "appropriation_exists": True,
            "allocation": room,
            "tranches": [tranche("1000")],
        }
        return decide_obligation(**(args | kw))  # type: ignore[arg-type]

    assert decide(appropriation_exists=False, allocation=None) == Rejection(
        RejectionReason.NO_APPROPRIATION, Decimal(100)
    )
    assert decide(allocation=None) == Rejection(RejectionReason.NO_ALLOCATION, Decimal(100))
    assert decide(on=date(2031, 10, 1)) == Rejection(
        RejectionReason.FUNDS_EXPIRED, Decimal(100), Decimal(1000)
    )
    assert decide(amount=Decimal(1001)) == Rejection(
        RejectionReason.INSUFFICIENT_FUNDS, Decimal(1001), Decimal(1000)
    )
    expired_rest = [tranche("950", drawn="0", until=date(2031, 2, 1)), tranche("50")]
    assert decide(tranches=expired_rest) == Rejection(
        RejectionReason.FUNDS_EXPIRED, Decimal(100), Decimal(50)
    )
    assert isinstance(decide(), list)


def test_funds_are_never_obligated_before_their_period_of_availability_begins() -> None:
    args = {
        "amount": Decimal(100),
        "appropriation_exists": True,
        "allocation": AllocationBalance(Decimal(1000)),
        "tranches": [tranche("1000")],
        "available_from": date(2030, 10, 1),
    }

    day_before = decide_obligation(on=date(2030, 9, 30), **args)  # type: ignore[arg-type]
    first_day = decide_obligation(on=date(2030, 10, 1), **args)  # type: ignore[arg-type]
    advanced = decide_obligation(  # type: ignore[arg-type]
        on=date(2030, 9, 30), **(args | {"available_from": date(2030, 8, 15)})
    )

    assert day_before == NotYetAvailable(date(2030, 10, 1))
    assert isinstance(first_day, list)
    assert isinstance(advanced, list)


def test_planning_warns_when_pme_is_below_half_of_the_ceiling_and_when_funds_expired() -> None:
    below = PlanningCheck(
        Decimal(1000), Decimal(600), Decimal("499.99"), Decimal(50), funds_available=False
    )
    fine = PlanningCheck(
        Decimal(1000), Decimal(600), Decimal(500), Decimal(50), funds_available=True
    )

    assert [w.code for w in below.warnings()] == ["pme_share_below_minimum", "funds_expired"]
    assert below.pme_shortfall == Decimal("0.01")
    assert fine.warnings() == []
    assert fine.pme_share == Decimal("0.5000")
