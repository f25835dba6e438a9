"""Funnel, utilization and turnaround rules, and the statistics they share."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

from reporting.domain.facts import (
    AllocationFact,
    CaseFact,
    CourseFact,
    LineFact,
    NominationFact,
    StateSpan,
)
from reporting.domain.funnel import FunnelScope, build_funnel
from reporting.domain.stats import median, percentile, working_days_between
from reporting.domain.turnaround import build_turnaround
from reporting.domain.utilization import build_utilization

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_median_percentile_and_working_days() -> None:
    assert median([1, 3, 2, 10]) == D("2.5")
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == D("9.0")
    assert median([]) is None
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1  # Friday -> Monday
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 16)) == 10


def test_the_funnel_counts_current_states_times_in_state_and_stuck_nominations() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    noms = [NominationFact(a, "GTM", 2026, "D1", None, "vetting", False),
            NominationFact(b, "GTM", 2026, "D1", None, "vetting", False)]  # fmt: skip
    spans = [
        StateSpan(a, "GTM", 2026, "submitted", T0, T0 + timedelta(days=1)),
        StateSpan(b, "GTM", 2026, "submitted", T0, T0 + timedelta(days=3)),
        StateSpan(a, "GTM", 2026, "vetting", T0 + timedelta(days=1), None),
        StateSpan(b, "GTM", 2026, "vetting", T0 + timedelta(days=3), None),
    ]

    report = build_funnel(FunnelScope(stuck_after_days=30), noms, spans, T0 + timedelta(days=32))

    states = {r["state"]: r for r in report.table("states").records()}
    assert states["submitted"]["median_days_in_state"] == D("2.0")
    assert states["vetting"]["nominations"] == 2
    assert states["vetting"]["stuck"] == 1  # 31 days for a, 29 for b
    assert report.table("by_country").records() == [
        {"country": "GTM", "fiscal_year": 2026, "state": "vetting", "nominations": 2}
    ]


def test_utilization_subtracts_released_money_and_shares_out_pme() -> None:
    n1, n2 = uuid.uuid4(), uuid.uuid4()
    lines = [
        LineFact(n1, "GTM", 2026, "P1", D("30000.00"), D("25000.00"), D("2000.00"),
                 D("3000.00")),
        LineFact(n2, "GTM", 2026, "T1", D("10000.00"), D("8000.00"), D("1000.00"),
                 D("1000.00"), returned=D("6000.00"), penalties_charged=D("4000.00")),
    ]  # fmt: skip
    courses = {"P1": CourseFact("P1", "Staff College", "pme", "CGSC", "Fort Leavenworth, KS")}

    report = build_utilization([AllocationFact("GTM", 2026, D("100000.00"))], lines, courses, {})

    row = report.table("countries").records()[0]
    assert (row["allocated"], row["obligated"], row["available"]) == (
        D("100000.00"), D("34000.00"), D("66000.00"),
    )  # fmt: skip
    assert row["pme_share"] == D("88.2")  # 30,000 / 34,000
    assert row["penalties"] == D("4000.00")
    assert row["warning"] is None


def test_turnaround_counts_open_overdue_and_working_days_to_decision() -> None:
    cases = [
        CaseFact(uuid.uuid4(), "GTM", date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 6),
                 "approved"),
        CaseFact(uuid.uuid4(), "GTM", date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 12),
                 "denied"),
        CaseFact(uuid.uuid4(), "GTM", date(2026, 3, 3), date(2026, 3, 17), None, None),
        CaseFact(uuid.uuid4(), "GTM", date(2026, 3, 3), date(2026, 3, 17), date(2026, 3, 4),
                 "cancelled"),
    ]  # fmt: skip

    report = build_turnaround(cases, date(2026, 3, 20), {})

    row = report.table("months").records()[0]
    assert (row["opened"], row["decided"], row["open"], row["overdue"]) == (4, 2, 1, 1)
    assert row["overdue_working_days"] == 3  # Wed 17 -> Fri 20
    assert (row["median_days"], row["p90_days"]) == (D("6.0"), D("8.0"))  # 4 and 8 days
