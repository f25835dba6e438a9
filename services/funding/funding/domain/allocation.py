"""Appropriations and country allocations, and the rules that keep them within each other.

- The sum of a fiscal year's country allocations never exceeds its appropriation.
- An allocation is never reduced below what is already used against it (obligated, charged or
  lapsed): only its available remainder can be reprogrammed.
- Anti-Deficiency Act: nothing is obligated beyond an allocation's available remainder; a
  stored balance that would go negative is refused before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from funding.domain.availability import TrancheState
from funding.domain.calendar import fiscal_year_bounds
from funding.domain.errors import (
    AllocationBelowCommitted,
    AllocationsExceedAppropriation,
    AppropriationBelowAllocated,
    InvalidTranches,
)
from funding.domain.ledger import FISCAL_YEAR_ACCOUNTS, Account, LedgerError, Posting
from funding.domain.money import ZERO


@dataclass
class AllocationBalance:
    """The stored balances of one country allocation, kept in step with its postings."""

    amount: Decimal
    obligated: Decimal = ZERO
    charged: Decimal = ZERO
    lapsed: Decimal = ZERO

    @property
    def used(self) -> Decimal:
        return self.obligated + self.charged + self.lapsed

    @property
    def available(self) -> Decimal:
        return self.amount - self.used

    def apply(self, posting: Posting) -> None:
        """Move this balance as `posting` moves the ledger; refuse a negative result."""
        entering = posting.from_account in FISCAL_YEAR_ACCOUNTS
        leaving = posting.to_account in FISCAL_YEAR_ACCOUNTS
        if entering and not leaving:
            self.amount += posting.amount
        elif leaving and not entering:
            self.amount -= posting.amount
        for account, sign in ((posting.from_account, -1), (posting.to_account, 1)):
            if account is Account.OBLIGATED:
                self.obligated += sign * posting.amount
            elif account is Account.CHARGED:
                self.charged += sign * posting.amount
            elif account is Account.LAPSED:
                self.lapsed += sign * posting.amount
        if min(self.obligated, self.charged, self.lapsed, self.available) < 0:
            raise LedgerError("a posting would make an allocation balance negative")


@dataclass
class AllocationRecord:
    """A country's allocation for a fiscal year: its ceiling and what is used against it."""

    id: UUID
    country: str
    fiscal_year: int
    version: int
    balance: AllocationBalance


@dataclass
class AppropriationRecord:
    """Congress's appropriation for a fiscal year, its tranches, and when its funds may first
    be obligated (ADR 0061)."""

    fiscal_year: int
    amount: Decimal
    version: int
    tranches: list[TrancheState] = field(default_factory=list)
    available_from: date | None = None
    availability_reason: str | None = None
    availability_set_by: str | None = None
    availability_set_at: datetime | None = None


def check_allocation_fits(
    appropriation: Decimal, others_allocated: Decimal, amount: Decimal
) -> None:
    """Allocations of a fiscal year never exceed its appropriation."""
    if others_allocated + amount > appropriation:
        raise AllocationsExceedAppropriation(
            f"Allocating {amount} would bring the fiscal year's allocations to "
            f"{others_allocated + amount}, above the appropriation of {appropriation}.",
            unallocated=str(appropriation - others_allocated),
        )


def check_reduction(balance: AllocationBalance, new_amount: Decimal) -> None:
    """An allocation keeps at least what is obligated, charged or lapsed against it."""
    if new_amount < balance.used:
        raise AllocationBelowCommitted(
            f"{balance.used} is already obligated against this allocation; "
            f"it cannot be reduced to {new_amount}.",
            obligated=str(balance.used),
        )


@dataclass(frozen=True)
class TrancheSpec:
    """A part of an appropriation and the last day it may be obligated."""

    amount: Decimal
    available_until: date


def check_appropriation(
    fiscal_year: int, amount: Decimal, tranches: list[TrancheSpec], allocated: Decimal
) -> None:
    """Tranches add up to the appropriation, each is available from the fiscal year's start
    (on distinct dates), and the appropriation covers the allocations already made."""
    if not tranches:
        raise InvalidTranches("An appropriation needs at least one tranche.")
    if sum((t.amount for t in tranches), ZERO) != amount:
        raise InvalidTranches(f"The tranches must add up to the appropriation of {amount}.")
    first_day, _ = fiscal_year_bounds(fiscal_year)
    if any(t.available_until < first_day for t in tranches):
        raise InvalidTranches(f"A tranche of FY{fiscal_year} cannot expire before {first_day}.")
    if len({t.available_until for t in tranches}) != len(tranches):
        raise InvalidTranches("Two tranches cannot expire on the same day.")
    if amount < allocated:
        raise AppropriationBelowAllocated(
            f"{allocated} is already allocated to countries; the appropriation cannot be "
            f"reduced to {amount}.",
            allocated=str(allocated),
        )
