"""The funding ledger: append-only, double-entry postings between accounts.

Every posting moves a positive `amount` from one account to another, so the ledger balances by
construction (the balances of all accounts always sum to zero). Accounts:

| account       | scope         | holds                                                          |
|---------------|---------------|----------------------------------------------------------------|
| `congress`    | fiscal year   | the source of appropriated money (its balance is -appropriated) |
| `unallocated` | fiscal year   | appropriated, not yet allocated to a country                    |
| `available`   | country + FY  | allocated, not obligated: what new training lines may use       |
| `obligated`   | country + FY  | obligated for open training lines                               |
| `charged`     | country + FY  | penalties and charges that stay obligated after a release        |
| `lapsed`      | country + FY  | released after the funds expired: gone, never reusable          |

Each kind of entry allows only its own moves (`MOVES`); a country's allocation is the sum of
its four accounts. Stored balances are updated from the very postings that are written, in the
same transaction (`apply`), and the consistency check re-derives them from the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from funding.domain.money import ZERO, cents


class Account(StrEnum):
    CONGRESS = "congress"
    UNALLOCATED = "unallocated"
    AVAILABLE = "available"
    OBLIGATED = "obligated"
    CHARGED = "charged"
    LAPSED = "lapsed"


FISCAL_YEAR_ACCOUNTS = frozenset({Account.CONGRESS, Account.UNALLOCATED})


class EntryKind(StrEnum):
    APPROPRIATION = "appropriation"
    ALLOCATION = "allocation"
    OBLIGATION = "obligation"
    DEOBLIGATION = "deobligation"
    PENALTY = "penalty"
    ADJUSTMENT = "adjustment"
    LAPSE = "lapse"


A = Account
MOVES: dict[EntryKind, frozenset[tuple[Account, Account]]] = {
    EntryKind.APPROPRIATION: frozenset({(A.CONGRESS, A.UNALLOCATED), (A.UNALLOCATED, A.CONGRESS)}),
    EntryKind.ALLOCATION: frozenset({(A.UNALLOCATED, A.AVAILABLE), (A.AVAILABLE, A.UNALLOCATED)}),
    EntryKind.OBLIGATION: frozenset({(A.AVAILABLE, A.OBLIGATED)}),
    EntryKind.DEOBLIGATION: frozenset({(A.OBLIGATED, A.AVAILABLE)}),
    EntryKind.PENALTY: frozenset({(A.OBLIGATED, A.CHARGED)}),
    EntryKind.ADJUSTMENT: frozenset({(A.CHARGED, A.AVAILABLE)}),
    EntryKind.LAPSE: frozenset({(A.OBLIGATED, A.LAPSED), (A.CHARGED, A.LAPSED)}),
}
# Moves that draw money from (+) or give it back to (-) a tranche of the appropriation.
_TRANCHE_EFFECT: dict[tuple[Account, Account], int] = {
    (A.AVAILABLE, A.OBLIGATED): 1,
    (A.OBLIGATED, A.AVAILABLE): -1,
    (A.CHARGED, A.AVAILABLE): -1,
}


class LedgerError(ValueError):
    """A posting that the ledger's rules do not allow (a programming error, never user input)."""


@dataclass(frozen=True)
class Posting:
    kind: EntryKind
    fiscal_year: int
    country: str | None
    from_account: Account
    to_account: Account
    amount: Decimal
    reason: str
    tranche_id: UUID | None = None
    obligation_id: UUID | None = None
    nomination_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.amount <= 0 or cents(self.amount) != self.amount:
            raise LedgerError(f"a posting moves a positive amount in cents, not {self.amount}")
        if (self.from_account, self.to_account) not in MOVES[self.kind]:
            raise LedgerError(f"{self.kind} cannot move {self.from_account} -> {self.to_account}")
        country_level = {self.from_account, self.to_account} - FISCAL_YEAR_ACCOUNTS
        if country_level and self.country is None:
            raise LedgerError("a posting on a country account needs the country")

    @property
    def tranche_effect(self) -> Decimal:
        """How much this posting draws from (+) or returns to (-) its tranche."""
        sign = _TRANCHE_EFFECT.get((self.from_account, self.to_account), 0)
        return self.amount * sign if self.tranche_id is not None else ZERO


AccountKey = tuple[int, str | None, Account]


def account_key(fiscal_year: int, country: str | None, account: Account) -> AccountKey:
    return (fiscal_year, None if account in FISCAL_YEAR_ACCOUNTS else country, account)


@dataclass(frozen=True)
class MoveTotal:
    """The sum of all postings of one move (what the database aggregates)."""

    fiscal_year: int
    country: str | None
    tranche_id: UUID | None
    from_account: Account
    to_account: Account
    amount: Decimal


def totals_of(postings: Iterable[Posting]) -> list[MoveTotal]:
    return [
        MoveTotal(p.fiscal_year, p.country, p.tranche_id, p.from_account, p.to_account, p.amount)
        for p in postings
    ]


def account_balances(totals: Iterable[MoveTotal]) -> dict[AccountKey, Decimal]:
    """Balance of every account: what moved in minus what moved out."""
    balances: dict[AccountKey, Decimal] = defaultdict(lambda: ZERO)
    for t in totals:
        balances[account_key(t.fiscal_year, t.country, t.from_account)] -= t.amount
        balances[account_key(t.fiscal_year, t.country, t.to_account)] += t.amount
    return dict(balances)


def tranche_drawn(totals: Iterable[MoveTotal]) -> dict[UUID, Decimal]:
    """Money drawn from each tranche: obligated or charged from it, or lapsed after expiry."""
    drawn: dict[UUID, Decimal] = defaultdict(lambda: ZERO)
    for t in totals:
        sign = _TRANCHE_EFFECT.get((t.from_account, t.to_account), 0)
        if t.tranche_id is not None and sign:
            drawn[t.tranche_id] += t.amount * sign
    return dict(drawn)


@dataclass(frozen=True)
class CountryBalances:
    available: Decimal
    obligated: Decimal
    charged: Decimal
    lapsed: Decimal

    @property
    def allocated(self) -> Decimal:
        return self.available + self.obligated + self.charged + self.lapsed


def country_balances(
    balances: dict[AccountKey, Decimal], fiscal_year: int, country: str
) -> CountryBalances:
    def get(account: Account) -> Decimal:
        return balances.get((fiscal_year, country, account), ZERO)

    return CountryBalances(get(A.AVAILABLE), get(A.OBLIGATED), get(A.CHARGED), get(A.LAPSED))


def appropriated(balances: dict[AccountKey, Decimal], fiscal_year: int) -> Decimal:
    return -balances.get((fiscal_year, None, A.CONGRESS), ZERO)


def unallocated(balances: dict[AccountKey, Decimal], fiscal_year: int) -> Decimal:
    return balances.get((fiscal_year, None, A.UNALLOCATED), ZERO)
