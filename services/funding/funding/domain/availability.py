"""Period of availability: which tranche of an appropriation pays for a line, and where
released money goes.

An obligation on day D draws from the tranches still available on D, the one expiring first
first (money about to lapse is used before money that keeps). A release gives money back to
the tranches it came from, the one expiring last first; money whose tranche is still available
returns to the country's allocation (`deobligation`/`adjustment`), money whose tranche has
expired is recorded as lapsed (`lapse`) and can never be obligated again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from funding.domain.ledger import Account, EntryKind, LedgerError, Posting
from funding.domain.money import ZERO


@dataclass
class TrancheState:
    id: UUID
    fiscal_year: int
    amount: Decimal
    available_until: date
    drawn: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.drawn

    def is_available(self, on: date) -> bool:
        return on <= self.available_until

    def apply(self, posting: Posting) -> None:
        if posting.tranche_id == self.id:
            self.drawn += posting.tranche_effect
            if not ZERO <= self.drawn <= self.amount:
                raise LedgerError("a posting would overdraw or over-return a tranche")


def live_capacity(tranches: Iterable[TrancheState], on: date) -> Decimal:
    return sum((t.remaining for t in tranches if t.is_available(on)), ZERO)


def plan_draws(
    tranches: Iterable[TrancheState], amount: Decimal, on: date
) -> list[tuple[TrancheState, Decimal]] | None:
    """The parts of `amount` each live tranche pays (expiring first first); None if they cannot."""
    live = sorted(
        (t for t in tranches if t.is_available(on) and t.remaining > 0),
        key=lambda t: t.available_until,
    )
    if sum((t.remaining for t in live), ZERO) < amount:
        return None
    draws, left = [], amount
    for tranche in live:
        part = min(left, tranche.remaining)
        if part > 0:
            draws.append((tranche, part))
            left -= part
    return draws


@dataclass(frozen=True)
class Line:
    """The training line postings belong to."""

    fiscal_year: int
    country: str
    obligation_id: UUID
    nomination_id: UUID

    def posting(
        self,
        kind: EntryKind,
        src: Account,
        dst: Account,
        amount: Decimal,
        tranche: UUID,
        reason: str,
    ) -> Posting:
        return Posting(
            kind,
            self.fiscal_year,
            self.country,
            src,
            dst,
            amount,
            reason,
            tranche_id=tranche,
            obligation_id=self.obligation_id,
            nomination_id=self.nomination_id,
        )


@dataclass
class Holding:
    """What one obligation holds in one tranche."""

    tranche: TrancheState
    obligated: Decimal = ZERO
    charged: Decimal = ZERO


def holdings_of(postings: Iterable[Posting], tranches: dict[UUID, TrancheState]) -> list[Holding]:
    """Per tranche, what an obligation's postings left obligated and charged."""
    held: dict[UUID, Holding] = {}
    for p in postings:
        if p.tranche_id is None:
            continue
        h = held.setdefault(p.tranche_id, Holding(tranches[p.tranche_id]))
        for account, sign in ((p.from_account, -1), (p.to_account, 1)):
            if account is Account.OBLIGATED:
                h.obligated += sign * p.amount
            elif account is Account.CHARGED:
                h.charged += sign * p.amount
    return list(held.values())


def obligation_postings(
    line: Line, draws: list[tuple[TrancheState, Decimal]], reason: str
) -> list[Posting]:
    return [
        line.posting(EntryKind.OBLIGATION, Account.AVAILABLE, Account.OBLIGATED, part, t.id, reason)
        for t, part in draws
    ]


def release_postings(
    line: Line, holdings: list[Holding], *, release: Decimal, charge: Decimal, on: date, reason: str
) -> list[Posting]:
    """Release `release` of what is obligated (back to the allocation, or lapsed when the
    tranche expired), then turn `charge` of what is left into a charge that stays obligated."""
    postings = _take(line, holdings, Account.OBLIGATED, release, on, reason)
    by_expiry = sorted(holdings, key=lambda h: h.tranche.available_until)
    left = charge
    for h in by_expiry:
        part = min(left, h.obligated)
        if part > 0:
            postings.append(
                line.posting(
                    EntryKind.PENALTY,
                    Account.OBLIGATED,
                    Account.CHARGED,
                    part,
                    h.tranche.id,
                    reason,
                )
            )
            h.obligated -= part
            h.charged += part
            left -= part
    if left > 0:
        raise LedgerError("cannot charge more than the line still holds")
    return postings


def refund_postings(
    line: Line, holdings: list[Holding], amount: Decimal, on: date, reason: str
) -> list[Posting]:
    """Give back `amount` of a charge: to the allocation while funds are available, else lapsed."""
    return _take(line, holdings, Account.CHARGED, amount, on, reason)


def _take(
    line: Line, holdings: list[Holding], source: Account, amount: Decimal, on: date, reason: str
) -> list[Posting]:
    postings, left = [], amount
    for h in sorted(holdings, key=lambda h: h.tranche.available_until, reverse=True):
        held = h.obligated if source is Account.OBLIGATED else h.charged
        part = min(left, held)
        if part <= 0:
            continue
        if h.tranche.is_available(on):
            kind = EntryKind.DEOBLIGATION if source is Account.OBLIGATED else EntryKind.ADJUSTMENT
            postings.append(
                line.posting(kind, source, Account.AVAILABLE, part, h.tranche.id, reason)
            )
        else:
            postings.append(
                line.posting(EntryKind.LAPSE, source, Account.LAPSED, part, h.tranche.id, reason)
            )
        if source is Account.OBLIGATED:
            h.obligated -= part
        else:
            h.charged -= part
        left -= part
    if left > 0:
        raise LedgerError(f"cannot release {amount} from {source}: the line holds less")
    return postings
