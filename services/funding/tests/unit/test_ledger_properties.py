"""Property: whatever happens, in whatever order, the ledger balances and the stored balances
agree with it. A state machine drives the domain's bookkeeping exactly as the use cases do
(decide, post, apply) through allocations, reprogramming, obligations, releases with charges,
refunds, and time passing beyond the tranches' periods of availability."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from funding.domain.allocation import AllocationBalance, check_allocation_fits, check_reduction
from funding.domain.availability import (
    Line,
    TrancheState,
    holdings_of,
    obligation_postings,
    refund_postings,
    release_postings,
)
from funding.domain.errors import AllocationBelowCommitted, AllocationsExceedAppropriation
from funding.domain.ledger import (
    Account,
    EntryKind,
    Posting,
    account_balances,
    appropriated,
    country_balances,
    totals_of,
    tranche_drawn,
    unallocated,
)
from funding.domain.money import ZERO
from funding.domain.obligation import decide_obligation

FY = 2031
COUNTRIES = ("GTM", "PHL", "KEN")
amounts = st.integers(1, 4_000).map(lambda cents: Decimal(cents) / 4)


@dataclass
class OpenLine:
    line: Line
    charged_refundable: bool = False
    postings: list[Posting] = field(default_factory=list)


class FundingBook(RuleBasedStateMachine):
    @initialize()
    def appropriate(self) -> None:
        self.today = date(2030, 10, 1)
        self.ledger: list[Posting] = []
        self.tranches = [
            TrancheState(uuid.uuid4(), FY, Decimal(8000), date(2031, 9, 30)),
            TrancheState(uuid.uuid4(), FY, Decimal(2000), date(2032, 9, 30)),
        ]
        self.allocations: dict[str, AllocationBalance] = {}
        self.lines: list[OpenLine] = []
        self.released: list[OpenLine] = []
        self._post(
            [
                Posting(
                    EntryKind.APPROPRIATION,
                    FY,
                    None,
                    Account.CONGRESS,
                    Account.UNALLOCATED,
                    Decimal(10_000),
                    "appropriation",
                )
            ]
        )

    def _post(self, postings: list[Posting], line: OpenLine | None = None) -> None:
        for p in postings:
            if p.country is not None:
                self.allocations.setdefault(p.country, AllocationBalance(ZERO)).apply(p)
            for t in self.tranches:
                t.apply(p)
        self.ledger.extend(postings)
        if line is not None:
            line.postings.extend(postings)

    @rule(country=st.sampled_from(COUNTRIES), amount=amounts)
    def reprogram(self, country: str, amount: Decimal) -> None:
        balance = self.allocations.get(country, AllocationBalance(ZERO))
        others = sum((b.amount for c, b in self.allocations.items() if c != country), ZERO)
        try:
            check_allocation_fits(Decimal(10_000), others, amount)
            check_reduction(balance, amount)
        except (AllocationsExceedAppropriation, AllocationBelowCommitted):
            return
        delta = amount - balance.amount
        if delta:
            src, dst = (
                (Account.UNALLOCATED, Account.AVAILABLE)
                if delta > 0
                else (Account.AVAILABLE, Account.UNALLOCATED)
            )
            self._post(
                [Posting(EntryKind.ALLOCATION, FY, country, src, dst, abs(delta), "reprogrammed")]
            )

    @rule(country=st.sampled_from(COUNTRIES), amount=amounts)
    def obligate(self, country: str, amount: Decimal) -> None:
        decision = decide_obligation(
            amount=amount,
            on=self.today,
            appropriation_exists=True,
            allocation=self.allocations.get(country),
            tranches=self.tranches,
        )
        if isinstance(decision, list):
            line = OpenLine(Line(FY, country, uuid.uuid4(), uuid.uuid4()))
            self._post(obligation_postings(line.line, decision, "obligated"), line)
            self.lines.append(line)

    @rule(data=st.data(), charge_share=st.integers(0, 100), refundable=st.booleans())
    def release(self, data: st.DataObject, charge_share: int, refundable: bool) -> None:
        if not self.lines:
            return
        line = self.lines.pop(data.draw(st.integers(0, len(self.lines) - 1)))
        holdings = holdings_of(line.postings, {t.id: t for t in self.tranches})
        held = sum((h.obligated for h in holdings), ZERO)
        charge = (held * charge_share / 100).quantize(Decimal("0.01"))
        self._post(
            release_postings(
                line.line,
                holdings,
                release=held - charge,
                charge=charge,
                on=self.today,
                reason="withdrawn",
            ),
            line,
        )
        line.charged_refundable = refundable and charge > 0
        self.released.append(line)

    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        refundable = [line for line in self.released if line.charged_refundable]
        if not refundable:
            return
        line = refundable[data.draw(st.integers(0, len(refundable) - 1))]
        holdings = holdings_of(line.postings, {t.id: t for t in self.tranches})
        charged = sum((h.charged for h in holdings), ZERO)
        self._post(refund_postings(line.line, holdings, charged, self.today, "seat refilled"), line)
        line.charged_refundable = False

    @rule(days=st.integers(1, 200))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @invariant()
    def ledger_balances_to_zero(self) -> None:
        assert sum(account_balances(totals_of(self.ledger)).values(), ZERO) == 0

    @invariant()
    def stored_balances_agree_with_the_ledger(self) -> None:
        totals = totals_of(self.ledger)
        derived = account_balances(totals)
        for country, stored in self.allocations.items():
            ledger = country_balances(derived, FY, country)
            assert (stored.available, stored.obligated, stored.charged, stored.lapsed) == (
                ledger.available,
                ledger.obligated,
                ledger.charged,
                ledger.lapsed,
            )
        drawn = tranche_drawn(totals)
        assert all(t.drawn == drawn.get(t.id, ZERO) for t in self.tranches)

    @invariant()
    def nothing_is_obligated_beyond_an_allocation_or_the_appropriation(self) -> None:
        derived = account_balances(totals_of(self.ledger))
        allocated = sum((b.amount for b in self.allocations.values()), ZERO)
        assert allocated + unallocated(derived, FY) == appropriated(derived, FY) == Decimal(10_000)
        assert all(b.available >= 0 and b.used <= b.amount for b in self.allocations.values())
        assert all(0 <= t.drawn <= t.amount for t in self.tranches)


FundingBook.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_the_ledger_always_balances = FundingBook.TestCase
