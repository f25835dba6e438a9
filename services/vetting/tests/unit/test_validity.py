"""Approval validity, reuse of a prior approval, and when re-vetting is due."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from vetting.domain.validity import (
    PriorApproval,
    add_months,
    approval_valid_until,
    is_valid_on,
    lapses_on,
    needs_revetting,
    reusable_approval,
)

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def _approval(
    candidate: uuid.UUID, valid_until: date, unit: str = "1st battalion"
) -> PriorApproval:
    return PriorApproval(uuid.uuid4(), candidate, unit, "GTM", valid_until)


def test_an_approval_is_valid_for_twelve_months_up_to_the_day_before() -> None:
    valid_until = approval_valid_until(date(2026, 3, 15), 12)

    assert valid_until == date(2027, 3, 14)
    assert lapses_on(valid_until) == date(2027, 3, 15)
    assert is_valid_on(valid_until, date(2027, 3, 14))
    assert not is_valid_on(valid_until, date(2027, 3, 15))


def test_month_ends_clamp_to_the_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert approval_valid_until(date(2028, 2, 29), 12) == date(2029, 2, 27)


def test_a_still_valid_approval_of_the_same_person_unit_and_country_is_reused() -> None:
    candidate = uuid.uuid4()
    prior = _approval(candidate, date(2027, 1, 31))

    reused = reusable_approval(
        [prior],
        candidate_id=candidate,
        unit_key="1st battalion",
        country="GTM",
        on=date(2027, 1, 31),
    )

    assert reused == prior


def test_the_longest_valid_of_several_approvals_is_reused() -> None:
    candidate = uuid.uuid4()
    shorter, longer = _approval(candidate, date(2027, 1, 1)), _approval(candidate, date(2027, 6, 1))

    reused = reusable_approval(
        [longer, shorter],
        candidate_id=candidate,
        unit_key="1st battalion",
        country="GTM",
        on=date(2026, 12, 1),
    )

    assert reused == longer


def test_a_lapsed_approval_another_unit_or_another_candidate_is_not_reused() -> None:
    candidate = uuid.uuid4()
    lapsed = _approval(candidate, date(2026, 11, 30))
    other_unit = _approval(candidate, date(2027, 6, 1), unit="2nd battalion")
    other_candidate = _approval(uuid.uuid4(), date(2027, 6, 1))

    reused = reusable_approval(
        [lapsed, other_unit, other_candidate],
        candidate_id=candidate,
        unit_key="1st battalion",
        country="GTM",
        on=date(2026, 12, 1),
    )

    assert reused is None


def test_an_approval_lapsing_before_the_report_date_is_revetted_within_the_lead_window() -> None:
    valid_until, report = date(2027, 3, 14), date(2027, 5, 1)

    assert not needs_revetting(
        valid_until=valid_until, report_date=report, today=date(2027, 2, 12), lead_days=30
    )
    assert needs_revetting(
        valid_until=valid_until, report_date=report, today=date(2027, 2, 13), lead_days=30
    )
    assert needs_revetting(
        valid_until=valid_until, report_date=report, today=date(2027, 4, 1), lead_days=30
    )


def test_with_no_lead_the_case_is_reopened_on_the_day_the_approval_lapses() -> None:
    valid_until, report = date(2027, 3, 14), date(2027, 5, 1)

    assert not needs_revetting(
        valid_until=valid_until, report_date=report, today=valid_until, lead_days=0
    )
    assert needs_revetting(
        valid_until=valid_until, report_date=report, today=lapses_on(valid_until), lead_days=0
    )


def test_an_approval_valid_on_the_report_date_needs_no_revetting() -> None:
    assert not needs_revetting(
        valid_until=date(2027, 5, 1),
        report_date=date(2027, 5, 1),
        today=date(2027, 5, 2),
        lead_days=30,
    )
    assert needs_revetting(
        valid_until=date(2027, 4, 30),
        report_date=date(2027, 5, 1),
        today=date(2027, 4, 30),
        lead_days=30,
    )


@given(DAYS, DAYS, DAYS, st.integers(min_value=0, max_value=365))
def test_revetting_is_never_due_when_the_approval_covers_the_report_date(
    valid_until: date, report: date, today: date, lead: int
) -> None:
    if valid_until >= report:
        assert not needs_revetting(
            valid_until=valid_until, report_date=report, today=today, lead_days=lead
        )


@given(DAYS, st.integers(min_value=1, max_value=60))
def test_a_fresh_approval_is_valid_on_the_day_it_is_given_and_lapses_after_the_months(
    decided_on: date, months: int
) -> None:
    valid_until = approval_valid_until(decided_on, months)

    assert is_valid_on(valid_until, decided_on)
    assert valid_until < add_months(decided_on, months)
    assert valid_until >= add_months(decided_on, months) - timedelta(days=1)
