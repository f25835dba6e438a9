"""Domain events of funding: what happened, in the past tense, raised by the aggregates.

The use cases hand them to their unit of work (`uow.emit`), which stages them for publishing in
the same transaction; `adapters/publishing.py` is the only place they become wire contracts.
Field names are the contracts' (a unit test compares them), so a fact is named once.
Only ids, countries, fiscal years, amounts and reason CODES: no personal data, no free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from funding.domain.allocation import AllocationRecord, AppropriationRecord, TrancheSpec
from funding.domain.costing import LivingAllowance
from funding.domain.ledger import Account, EntryKind, Posting
from funding.domain.money import ZERO, cents
from funding.domain.obligation import FundingSource, Obligation, Rejection
from funding.domain.program import CountryProgram, Priority, ProgramLine
from funding.domain.request import FundingRequest


@dataclass(frozen=True, kw_only=True)
class AppropriationSet:
    fiscal_year: int
    amount: Decimal
    tranches: tuple[TrancheSpec, ...]
    available_from: date | None


@dataclass(frozen=True, kw_only=True)
class AllocationSet:
    allocation_id: UUID
    country: str
    fiscal_year: int
    amount: Decimal
    reason: str  # a reason code (ADR 0057): the words stay in the allocation's history


@dataclass(frozen=True, kw_only=True)
class AllocationChanged(AllocationSet):
    previous_amount: Decimal


@dataclass(frozen=True, kw_only=True)
class LineEvent:
    """What every event about one nomination's training line says."""

    nomination_id: UUID
    country: str
    fiscal_year: int


@dataclass(frozen=True, kw_only=True)
class ObligationRecorded(LineEvent):
    obligation_id: UUID
    class_id: UUID
    masl_id: str
    funding_source: FundingSource
    amount: Decimal
    tuition: Decimal
    travel: Decimal
    living_allowance: Decimal
    lodging_per_day: Decimal
    meals_per_day: Decimal
    incidentals_per_day: Decimal
    living_allowance_days: int


@dataclass(frozen=True, kw_only=True)
class ObligationRejected(LineEvent):
    reason: str  # a RejectionReason
    requested_amount: Decimal | None
    available_amount: Decimal | None


@dataclass(frozen=True, kw_only=True)
class PenaltyCharged(LineEvent):
    obligation_id: UUID
    amount: Decimal
    rule: str


@dataclass(frozen=True, kw_only=True)
class Deobligated(LineEvent):
    obligation_id: UUID
    amount_returned: Decimal
    penalty_amount: Decimal
    reason: str
    amount_lapsed: Decimal


@dataclass(frozen=True, kw_only=True)
class ProgramApproved:
    program_id: UUID
    country: str
    fiscal_year: int
    approved_total: Decimal
    pme_total: Decimal
    priority_a_total: Decimal
    ceiling: Decimal
    lines: int


@dataclass(frozen=True, kw_only=True)
class ProgramLineFilled(LineEvent):
    program_id: UUID
    line_id: UUID
    obligation_id: UUID
    masl_id: str
    estimated_amount: Decimal
    actual_amount: Decimal
    difference: Decimal
    filled: int
    quantity: int


@dataclass(frozen=True, kw_only=True)
class CeilingPulledBack:
    run_id: UUID
    allocation_id: UUID
    country: str
    fiscal_year: int
    amount: Decimal
    previous_amount: Decimal
    obligated: Decimal
    expected: Decimal


@dataclass(frozen=True, kw_only=True)
class CeilingRedistributed:
    run_id: UUID
    allocation_id: UUID
    country: str
    fiscal_year: int
    line_id: UUID
    amount: Decimal
    previous_amount: Decimal


@dataclass(frozen=True, kw_only=True)
class YearEndRunCompleted:
    run_id: UUID
    fiscal_year: int
    pulled_back: Decimal
    redistributed: Decimal
    left_unallocated: Decimal
    countries: int


DomainEvent = (
    AppropriationSet
    | AllocationSet
    | AllocationChanged
    | ObligationRecorded
    | ObligationRejected
    | PenaltyCharged
    | Deobligated
    | ProgramApproved
    | ProgramLineFilled
    | CeilingPulledBack
    | CeilingRedistributed
    | YearEndRunCompleted
)


# What each aggregate says when it changes: every fact is copied from the aggregate once, here.


def appropriation_set(record: AppropriationRecord) -> AppropriationSet:
    return AppropriationSet(
        fiscal_year=record.fiscal_year,
        amount=record.amount,
        tranches=tuple(TrancheSpec(t.amount, t.available_until) for t in record.tranches),
        available_from=record.available_from,
    )


def allocation_set(record: AllocationRecord, reason_code: str) -> AllocationSet:
    return AllocationSet(
        allocation_id=record.id,
        country=record.country,
        fiscal_year=record.fiscal_year,
        amount=record.balance.amount,
        reason=reason_code,
    )


def allocation_changed(
    record: AllocationRecord, reason_code: str, previous: Decimal
) -> AllocationChanged:
    return AllocationChanged(
        allocation_id=record.id,
        country=record.country,
        fiscal_year=record.fiscal_year,
        amount=record.balance.amount,
        reason=reason_code,
        previous_amount=previous,
    )


def obligation_rejected(request: FundingRequest, rejection: Rejection) -> ObligationRejected:
    return ObligationRejected(
        nomination_id=request.nomination_id,
        country=request.country,
        fiscal_year=request.fiscal_year,
        reason=rejection.reason.value,
        requested_amount=rejection.requested,
        available_amount=rejection.available,
    )


def obligation_recorded(ob: Obligation, living: LivingAllowance) -> ObligationRecorded:
    return ObligationRecorded(
        nomination_id=ob.nomination_id,
        country=ob.country,
        fiscal_year=ob.fiscal_year,
        obligation_id=ob.id,
        class_id=ob.class_id,
        masl_id=ob.masl_id,
        funding_source=ob.funding_source,
        amount=ob.amount,
        tuition=ob.tuition,
        travel=ob.travel,
        living_allowance=ob.living_allowance,
        lodging_per_day=cents(living.lodging_per_day),
        meals_per_day=cents(living.meals_per_day),
        incidentals_per_day=cents(living.incidentals_per_day),
        living_allowance_days=living.days,
    )


def penalty_charged(ob: Obligation, amount: Decimal, rule: str | None) -> PenaltyCharged:
    return PenaltyCharged(
        nomination_id=ob.nomination_id,
        country=ob.country,
        fiscal_year=ob.fiscal_year,
        obligation_id=ob.id,
        amount=amount,
        rule=rule or "unspecified",
    )


def deobligated(
    ob: Obligation, postings: list[Posting], *, penalty: Decimal, reason: str
) -> Deobligated:
    """What the line's release `postings` gave back to the allocation and what lapsed."""
    returned = sum((p.amount for p in postings if p.to_account is Account.AVAILABLE), ZERO)
    lapsed = sum((p.amount for p in postings if p.kind is EntryKind.LAPSE), ZERO)
    return Deobligated(
        nomination_id=ob.nomination_id,
        country=ob.country,
        fiscal_year=ob.fiscal_year,
        obligation_id=ob.id,
        amount_returned=returned,
        penalty_amount=penalty,
        reason=reason,
        amount_lapsed=lapsed,
    )


def program_approved(program: CountryProgram, ceiling: Decimal) -> ProgramApproved:
    counted = [ln for ln in program.lines if ln.counts]
    return ProgramApproved(
        program_id=program.id,
        country=program.country,
        fiscal_year=program.fiscal_year,
        approved_total=program.approved_total,
        pme_total=sum((ln.estimated_cost for ln in counted if ln.is_pme), ZERO),
        priority_a_total=sum(
            (ln.estimated_cost for ln in counted if ln.priority is Priority.A), ZERO
        ),
        ceiling=ceiling,
        lines=len(counted),
    )


def program_line_filled(
    program_id: UUID, line: ProgramLine, ob: Obligation, estimated: Decimal
) -> ProgramLineFilled:
    return ProgramLineFilled(
        nomination_id=ob.nomination_id,
        country=ob.country,
        fiscal_year=ob.fiscal_year,
        program_id=program_id,
        line_id=line.id,
        obligation_id=ob.id,
        masl_id=line.masl_id,
        estimated_amount=estimated,
        actual_amount=ob.amount,
        difference=ob.amount - estimated,
        filled=line.filled,
        quantity=line.quantity,
    )
