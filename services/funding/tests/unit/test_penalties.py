"""Cancellation and non-completion charges decided by rules that are data."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from funding.domain.penalties import (
    CourseKind,
    Initiator,
    PenaltyRule,
    ReleaseFacts,
    Trigger,
    decide_penalty,
)

# The default rules, as the migration seeds them.
RULES = [
    PenaltyRule(
        "us_government_cancellation",
        Trigger.CANCELLATION,
        Initiator.US_GOVERNMENT,
        CourseKind.ANY,
        None,
        Decimal(0),
        False,
        False,
        10,
    ),
    PenaltyRule(
        "dedicated_course_cancellation",
        Trigger.CANCELLATION,
        Initiator.COUNTRY,
        CourseKind.DEDICATED,
        None,
        Decimal(100),
        False,
        True,
        20,
    ),
    PenaltyRule(
        "late_cancellation",
        Trigger.CANCELLATION,
        Initiator.COUNTRY,
        CourseKind.NON_DEDICATED,
        60,
        Decimal(50),
        False,
        False,
        30,
    ),
    PenaltyRule(
        "non_completion",
        Trigger.NON_COMPLETION,
        Initiator.ANY,
        CourseKind.ANY,
        None,
        Decimal(100),
        True,
        False,
        10,
    ),
]
TUITION = Decimal("10000.00")


def facts(**changes: object) -> ReleaseFacts:
    base = ReleaseFacts(Trigger.CANCELLATION, Initiator.COUNTRY, False, 90, TUITION, 100)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_country_cancelling_a_dedicated_course_pays_all_tuition() -> None:
    decision = decide_penalty(RULES, facts(dedicated=True, days_before_start=200))

    assert (decision.rule, decision.amount) == ("dedicated_course_cancellation", TUITION)
    assert decision.refundable_on_refill


def test_a_refill_known_at_release_waives_the_dedicated_course_charge() -> None:
    decision = decide_penalty(RULES, facts(dedicated=True, seat_refilled=True))

    assert decision.amount == 0
    assert decision.waived_by_refill
    assert not decision.refundable_on_refill


def test_other_courses_pay_half_tuition_only_inside_the_60_day_window() -> None:
    inside = decide_penalty(RULES, facts(days_before_start=59))
    boundary = decide_penalty(RULES, facts(days_before_start=60))
    started = decide_penalty(RULES, facts(days_before_start=-3))

    assert (inside.rule, inside.amount) == ("late_cancellation", Decimal("5000.00"))
    assert (boundary.rule, boundary.amount) == (None, 0)
    assert started.amount == Decimal("5000.00")


def test_cancellations_initiated_by_the_us_carry_no_charge() -> None:
    decision = decide_penalty(
        RULES, facts(initiated_by=Initiator.US_GOVERNMENT, dedicated=True, days_before_start=1)
    )

    assert (decision.rule, decision.amount) == ("us_government_cancellation", 0)


def test_a_student_who_does_not_finish_pays_tuition_prorated_by_days_attended() -> None:
    decision = decide_penalty(
        RULES, facts(trigger=Trigger.NON_COMPLETION, course_days=60, days_attended=20)
    )

    assert (decision.rule, decision.amount) == ("non_completion", Decimal("3333.33"))


def test_rules_are_tried_by_priority_and_inactive_ones_are_skipped() -> None:
    stricter = PenaltyRule(
        "very_late",
        Trigger.CANCELLATION,
        Initiator.COUNTRY,
        CourseKind.NON_DEDICATED,
        14,
        Decimal(75),
        False,
        False,
        25,
    )
    retired = replace(
        stricter, code="retired", priority=1, percent_of_tuition=Decimal(100), active=False
    )

    late = decide_penalty([*RULES, stricter, retired], facts(days_before_start=10))
    less_late = decide_penalty([*RULES, stricter, retired], facts(days_before_start=30))

    assert (late.rule, late.amount) == ("very_late", Decimal("7500.00"))
    assert less_late.rule == "late_cancellation"


@given(
    trigger=st.sampled_from(Trigger),
    initiator=st.sampled_from([Initiator.COUNTRY, Initiator.US_GOVERNMENT]),
    dedicated=st.booleans(),
    days_before=st.integers(-400, 800),
    course_days=st.integers(1, 400),
    attended=st.integers(0, 500),
    refilled=st.booleans(),
    tuition=st.decimals(
        min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False
    ),
)
def test_a_charge_is_never_negative_nor_more_than_the_tuition(
    trigger: Trigger,
    initiator: Initiator,
    dedicated: bool,
    days_before: int,
    course_days: int,
    attended: int,
    refilled: bool,
    tuition: Decimal,
) -> None:
    released = ReleaseFacts(
        trigger, initiator, dedicated, days_before, tuition, course_days, attended, refilled
    )

    decision = decide_penalty(RULES, released)

    assert 0 <= decision.amount <= tuition
    assert decision.amount.as_tuple().exponent == -2 or decision.amount == 0
    if initiator is Initiator.US_GOVERNMENT and trigger is Trigger.CANCELLATION:
        assert decision.amount == 0
