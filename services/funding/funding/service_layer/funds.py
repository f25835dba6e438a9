"""Use cases on appropriations and country allocations (reprogramming)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from funding.domain import events
from funding.domain.allocation import (
    AllocationRecord,
    AppropriationRecord,
    TrancheSpec,
    check_allocation_fits,
    check_appropriation,
    check_reduction,
)
from funding.domain.errors import (
    AllocationExists,
    AllocationNotFound,
    NoAppropriation,
    TrancheInUse,
)
from funding.domain.ledger import Account, EntryKind, Posting
from funding.service_layer.unit_of_work import FundingUnitOfWork, Precondition
from shared.errors import PreconditionRequired
from shared.observability import request_id_var


def _appropriation_view(record: AppropriationRecord) -> dict[str, Any]:
    return {
        "fiscal_year": record.fiscal_year,
        "amount": str(record.amount),
        "tranches": [
            {"amount": str(t.amount), "available_until": t.available_until.isoformat()}
            for t in record.tranches
        ],
    }


def _allocation_view(record: AllocationRecord) -> dict[str, Any]:
    return {
        "country": record.country,
        "fiscal_year": record.fiscal_year,
        "amount": str(record.balance.amount),
    }


async def set_appropriation(
    uow: FundingUnitOfWork,
    fiscal_year: int,
    amount: Decimal,
    tranches: list[TrancheSpec],
    precondition: Precondition | None,
) -> tuple[AppropriationRecord, bool]:
    """Record Congress's IMET appropriation for a fiscal year, split into tranches with their
    period of availability (the last day each may be obligated). The tranches add up to the
    amount; the appropriation never drops below the country allocations already made, and a
    tranche never below what was drawn from it. Changing an existing appropriation needs its
    current version (If-Match). Returns the appropriation and whether it was created."""
    created = await uow.appropriations.ensure(fiscal_year)
    record = await uow.appropriations.get(fiscal_year, lock=True)
    assert record is not None  # ensured above
    if not created:
        if precondition is None:
            raise PreconditionRequired(
                f"FY{fiscal_year} already has an appropriation: send If-Match to change it."
            )
        precondition(record.version)
    check_appropriation(
        fiscal_year, amount, tranches, await uow.appropriations.allocated_total(fiscal_year)
    )
    current = await uow.appropriations.tranches(fiscal_year, lock=True)
    wanted = {s.available_until: s.amount for s in tranches}
    for t in current:
        if t.drawn > wanted.get(t.available_until, Decimal(0)):
            raise TrancheInUse(
                f"{t.drawn} was drawn from the tranche available until {t.available_until}."
            )
    before = None if created else _appropriation_view(record)
    delta = amount - record.amount
    await uow.appropriations.replace_tranches(fiscal_year, tranches, current)
    await uow.appropriations.set_amount(record, amount)
    if delta:
        src, dst = (
            (Account.CONGRESS, Account.UNALLOCATED)
            if delta > 0
            else (Account.UNALLOCATED, Account.CONGRESS)
        )
        await uow.post(
            [
                Posting(
                    EntryKind.APPROPRIATION,
                    fiscal_year,
                    None,
                    src,
                    dst,
                    abs(delta),
                    "appropriation set",
                )
            ]
        )
    record.tranches = await uow.appropriations.tranches(fiscal_year)
    uow.audit(
        "appropriation.set",
        "appropriation",
        str(fiscal_year),
        before=before,
        after=_appropriation_view(record),
    )
    uow.emit(events.appropriation_set(record))
    await uow.commit()
    return record, created


async def _locked_appropriation(uow: FundingUnitOfWork, fiscal_year: int) -> AppropriationRecord:
    record = await uow.appropriations.get(fiscal_year, lock=True)
    if record is None:
        raise NoAppropriation(f"FY{fiscal_year} has no appropriation yet: record it first.")
    return record


async def _move_ceiling(
    uow: FundingUnitOfWork,
    record: AllocationRecord,
    new_amount: Decimal,
    reason: str,
    *,
    initial: bool,
) -> Decimal:
    previous = record.balance.amount
    delta = new_amount - previous
    if delta:
        src, dst = (
            (Account.UNALLOCATED, Account.AVAILABLE)
            if delta > 0
            else (Account.AVAILABLE, Account.UNALLOCATED)
        )
        posting = Posting(
            EntryKind.ALLOCATION, record.fiscal_year, record.country, src, dst, abs(delta), reason
        )
        record.balance.apply(posting)
        await uow.post([posting])
    await uow.allocations.save_amount(record)
    await uow.appropriations.touch(record.fiscal_year)
    await uow.allocations.record_change(
        record, None if initial else previous, reason, uow.actor.subject, request_id_var.get()
    )
    return previous


async def set_allocation(
    uow: FundingUnitOfWork,
    country: str,
    fiscal_year: int,
    amount: Decimal,
    reason: str,
    *,
    reason_code: str = "initial_allocation",
) -> AllocationRecord:
    """Set a country's allocation (ceiling) for a fiscal year. The fiscal year's allocations
    together never exceed its appropriation: checked under a lock on the appropriation and
    again by the database, so concurrent allocations cannot overshoot it."""
    appropriation = await _locked_appropriation(uow, fiscal_year)
    if await uow.allocations.find(country, fiscal_year) is not None:
        raise AllocationExists(
            f"{country} already has an allocation for FY{fiscal_year}: change it instead."
        )
    check_allocation_fits(
        appropriation.amount, await uow.appropriations.allocated_total(fiscal_year), amount
    )
    record = await uow.allocations.add(country, fiscal_year)
    await _move_ceiling(uow, record, amount, reason, initial=True)
    uow.audit(
        "allocation.set",
        "allocation",
        str(record.id),
        after=_allocation_view(record) | {"reason": reason, "reason_code": reason_code},
    )
    uow.emit(events.allocation_set(record, reason_code))  # the words of `reason` stay here
    await uow.commit()
    return record


async def change_allocation(
    uow: FundingUnitOfWork,
    allocation_id: uuid.UUID,
    amount: Decimal,
    reason: str,
    precondition: Precondition,
    *,
    reason_code: str = "reprogramming",
) -> AllocationRecord:
    """Reprogram a country's allocation; the reason and the actor are recorded. An increase must
    fit the unallocated part of the appropriation; a decrease never goes below what is already
    obligated, charged or lapsed against the allocation."""
    found = await uow.allocations.get(allocation_id)
    if found is None:
        raise AllocationNotFound(f"No allocation {allocation_id}.")
    appropriation = await _locked_appropriation(uow, found.fiscal_year)
    record = await uow.allocations.get(allocation_id, lock=True)
    assert record is not None  # allocations are never deleted
    precondition(record.version)
    before = _allocation_view(record)
    if amount > record.balance.amount:
        others = await uow.appropriations.allocated_total(record.fiscal_year, excluding=record.id)
        check_allocation_fits(appropriation.amount, others, amount)
    check_reduction(record.balance, amount)
    previous = await _move_ceiling(uow, record, amount, reason, initial=False)
    uow.audit(
        "allocation.changed",
        "allocation",
        str(record.id),
        before=before,
        after=_allocation_view(record) | {"reason": reason, "reason_code": reason_code},
    )
    uow.emit(events.allocation_changed(record, reason_code, previous))  # ADR 0057
    await uow.commit()
    return record
