"""Funding requests and obligations: the decision to obligate, and the life of a line.

A request is obligated or rejected once; a request whose class or course is not yet known to
funding waits (`pending_reference_data`) and is decided when the catalog's event arrives. A
nomination has at most one active obligation: a second request while one is active is recorded
as a duplicate and changes nothing.

The checks run in a fixed order, so a refusal always names the first thing that is missing:
no appropriation -> no allocation -> (not available yet: the request waits, ADR 0061) -> no
funds available any more -> the allocation's remainder is too small (insufficient funds) -> the
money left is in tranches that expired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal
from uuid import UUID

from funding.domain.allocation import AllocationBalance
from funding.domain.availability import TrancheState, live_capacity, plan_draws
from funding.domain.ledger import Account, EntryKind, Posting
from funding.domain.money import ZERO

FundingSource = Literal["imet", "eimet"]


class RequestStatus(StrEnum):
    PENDING_REFERENCE_DATA = "pending_reference_data"
    PENDING_AVAILABILITY = "pending_availability"
    PENDING_PROGRAM_EXCEPTION = "pending_program_exception"  # outside the approved program
    OBLIGATED = "obligated"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"


class ObligationStatus(StrEnum):
    ACTIVE = "active"
    RELEASED = "released"
    COMPLETED = "completed"
    TERMINATED = "terminated"


class RejectionReason(StrEnum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    FUNDS_EXPIRED = "funds_expired"
    NO_ALLOCATION = "no_allocation"
    NO_APPROPRIATION = "no_appropriation"
    NO_TUITION_RATE = "no_tuition_rate"
    CLASS_UNKNOWN = "class_unknown"


@dataclass(frozen=True)
class Rejection:
    reason: RejectionReason
    requested: Decimal | None = None
    available: Decimal | None = None


@dataclass(frozen=True)
class NotYetAvailable:
    """The fiscal year's funds may not be obligated before `available_from`: the request waits."""

    available_from: date


Draws = list[tuple[TrancheState, Decimal]]


def decide_obligation(
    *,
    amount: Decimal,
    on: date,
    appropriation_exists: bool,
    allocation: AllocationBalance | None,
    tranches: Iterable[TrancheState],
    available_from: date | None = None,
) -> Rejection | NotYetAvailable | Draws:
    """Obligate `amount` on day `on`, or say why not (Anti-Deficiency Act: never beyond the
    allocation's available remainder, never from expired funds, never before the period of
    availability begins - such a request waits, it is not refused)."""
    if not appropriation_exists:
        return Rejection(RejectionReason.NO_APPROPRIATION, amount)
    if allocation is None:
        return Rejection(RejectionReason.NO_ALLOCATION, amount)
    if available_from is not None and on < available_from:
        return NotYetAvailable(available_from)
    tranches = list(tranches)
    if not any(t.is_available(on) for t in tranches):
        return Rejection(RejectionReason.FUNDS_EXPIRED, amount, allocation.available)
    if allocation.available < amount:
        return Rejection(RejectionReason.INSUFFICIENT_FUNDS, amount, allocation.available)
    draws = plan_draws(tranches, amount, on)
    if draws is None:
        usable = min(allocation.available, live_capacity(tranches, on))
        return Rejection(RejectionReason.FUNDS_EXPIRED, amount, usable)
    return draws


@dataclass
class Obligation:
    """A training line's obligation; the summary columns move with its postings (`apply`)."""

    id: UUID
    nomination_id: UUID
    request_id: UUID
    allocation_id: UUID
    country: str
    fiscal_year: int
    class_id: UUID
    masl_id: str
    course_category: str
    dedicated: bool
    class_start_date: date
    course_days: int
    funding_source: FundingSource
    amount: Decimal
    tuition: Decimal
    travel: Decimal
    living_allowance: Decimal
    obligated_on: date
    status: ObligationStatus = ObligationStatus.ACTIVE
    outstanding: Decimal = ZERO
    penalty_amount: Decimal = ZERO
    penalty_rule: str | None = None
    penalty_refundable: bool = False
    returned_amount: Decimal = ZERO
    lapsed_amount: Decimal = ZERO
    closed_on: date | None = None
    close_reason: str | None = None
    version: int = 1

    @property
    def is_active(self) -> bool:
        return self.status is ObligationStatus.ACTIVE

    def apply(self, posting: Posting) -> None:
        """Keep the summary in step: obligated money stays outstanding until it is returned to
        the allocation or lapses; a charge stays outstanding, a refunded charge does not."""
        if posting.obligation_id != self.id:
            return
        if posting.kind is EntryKind.OBLIGATION:
            self.outstanding += posting.amount
        elif posting.to_account is Account.AVAILABLE:
            self.outstanding -= posting.amount
            self.returned_amount += posting.amount
        elif posting.to_account is Account.LAPSED:
            self.outstanding -= posting.amount
            self.lapsed_amount += posting.amount
        if posting.from_account is Account.CHARGED:
            self.penalty_amount -= posting.amount
        elif posting.to_account is Account.CHARGED:
            self.penalty_amount += posting.amount

    def close(self, status: ObligationStatus, on: date, reason: str) -> None:
        if not self.is_active:
            raise ValueError(f"obligation {self.id} is already {self.status}")
        self.status, self.closed_on, self.close_reason = status, on, reason
