"""Period of availability: which tranche pays, where released money goes, fiscal-year dates."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from funding.domain.availability import (
    Holding,
    Line,
    TrancheState,
    live_capacity,
    plan_draws,
    refund_postings,
    release_postings,
)
from funding.domain.calendar import fiscal_year_bounds, fiscal_year_of
from funding.domain.ledger import Account, EntryKind

FY = 2031
BASE = TrancheState(uuid.uuid4(), FY, Decimal("1000.00"), date(2031, 9, 30))
EXTENDED = TrancheState(uuid.uuid4(), FY, Decimal("300.00"), date(2032, 9, 30))
LINE = Line(FY, "GTM", uuid.uuid4(), uuid.uuid4())


def test_obligations_draw_first_from_the_tranche_that_expires_first() -> None:
    draws = plan_draws([EXTENDED, BASE], Decimal("1100.00"), date(2031, 5, 1))

    assert draws is not None
    assert [(t.id, part) for t, part in draws] == [
        (BASE.id, Decimal("1000.00")),
        (EXTENDED.id, Decimal("100.00")),
    ]


def test_an_expired_tranche_pays_for_nothing() -> None:
    on = date(2031, 10, 1)

    assert live_capacity([BASE, EXTENDED], on) == Decimal("300.00")
    assert plan_draws([BASE, EXTENDED], Decimal("300.01"), on) is None
    assert plan_draws([BASE, EXTENDED], Decimal("1.00"), date(2032, 10, 1)) is None


def test_a_release_returns_money_while_its_tranche_is_available_and_lapses_it_after() -> None:
    holdings = [
        Holding(BASE, obligated=Decimal("600.00")),
        Holding(EXTENDED, obligated=Decimal("200.00")),
    ]

    postings = release_postings(
        LINE,
        holdings,
        release=Decimal("500.00"),
        charge=Decimal("100.00"),
        on=date(2031, 12, 1),
        reason="withdrawn",
    )

    moves = [(p.kind, p.tranche_id, p.to_account, p.amount) for p in postings]
    assert moves == [
        (EntryKind.DEOBLIGATION, EXTENDED.id, Account.AVAILABLE, Decimal("200.00")),
        (EntryKind.LAPSE, BASE.id, Account.LAPSED, Decimal("300.00")),
        (EntryKind.PENALTY, BASE.id, Account.CHARGED, Decimal("100.00")),
    ]
    assert holdings[0].obligated == Decimal("200.00")


def test_a_refunded_charge_goes_back_to_the_allocation_or_lapses() -> None:
    live = [Holding(EXTENDED, charged=Decimal("80.00"))]
    expired = [Holding(BASE, charged=Decimal("80.00"))]

    back = refund_postings(LINE, live, Decimal("80.00"), date(2031, 12, 1), "seat refilled")
    gone = refund_postings(LINE, expired, Decimal("80.00"), date(2031, 12, 1), "seat refilled")

    assert [(p.kind, p.to_account) for p in back] == [(EntryKind.ADJUSTMENT, Account.AVAILABLE)]
    assert [(p.kind, p.to_account) for p in gone] == [(EntryKind.LAPSE, Account.LAPSED)]


@given(st.dates(min_value=date(1991, 1, 1), max_value=date(2099, 12, 31)))
def test_every_day_falls_inside_the_bounds_of_its_fiscal_year(day: date) -> None:
    first, last = fiscal_year_bounds(fiscal_year_of(day))

    assert first <= day <= last
    assert (first.month, first.day, last.month, last.day) == (10, 1, 9, 30)
    assert fiscal_year_of(last + timedelta(days=1)) == fiscal_year_of(day) + 1


@given(
    amounts=st.lists(st.integers(1, 10_000), min_size=1, max_size=4),
    offsets=st.lists(st.integers(0, 700), min_size=4, max_size=4, unique=True),
    want=st.integers(1, 50_000),
    on_offset=st.integers(0, 800),
)
def test_draws_never_use_expired_money_nor_more_than_a_tranche_holds(
    amounts: list[int], offsets: list[int], want: int, on_offset: int
) -> None:
    start = date(2030, 10, 1)
    tranches = [
        TrancheState(uuid.uuid4(), FY, Decimal(a), start + timedelta(days=o))
        for a, o in zip(amounts, offsets[: len(amounts)], strict=True)
    ]
    on = start + timedelta(days=on_offset)

    draws = plan_draws(tranches, Decimal(want), on)

    if draws is None:
        assert live_capacity(tranches, on) < want
    else:
        assert sum(part for _, part in draws) == want
        assert all(t.is_available(on) and 0 < part <= t.remaining for t, part in draws)
