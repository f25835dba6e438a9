"""Bookkeeping of one training line: lock it in order, load what it holds per tranche, write
postings to the ledger and the stored balances together."""

from __future__ import annotations

import uuid

from funding.domain.allocation import AllocationRecord
from funding.domain.availability import Holding, Line, TrancheState, holdings_of
from funding.domain.ledger import Posting
from funding.domain.obligation import Obligation
from funding.service_layer.unit_of_work import FundingUnitOfWork
from shared.observability import get_logger

log = get_logger("funding.lines")


async def locked_allocation(uow: FundingUnitOfWork, allocation_id: uuid.UUID) -> AllocationRecord:
    allocation = await uow.allocations.get(allocation_id, lock=True)
    assert allocation is not None  # obligations reference their allocation
    return allocation


async def lock_active(
    uow: FundingUnitOfWork, nomination_id: uuid.UUID
) -> tuple[AllocationRecord, Obligation] | None:
    """The nomination's active obligation, locked after its allocation (the lock order)."""
    active = await uow.obligations.active_for(nomination_id)
    if active is None:
        log.info("funding.nothing_to_release", nomination_id=str(nomination_id))
        return None
    allocation = await locked_allocation(uow, active.allocation_id)
    ob = await uow.obligations.get(active.id, lock=True)
    if ob is None or not ob.is_active:
        return None
    return allocation, ob


async def holdings(
    uow: FundingUnitOfWork, ob: Obligation
) -> tuple[Line, list[Holding], list[TrancheState]]:
    """The line, what it holds in each tranche (from its ledger postings), and the fiscal
    year's tranches, locked (the last locks of the lock order)."""
    tranches = {t.id: t for t in await uow.appropriations.tranches(ob.fiscal_year, lock=True)}
    held = holdings_of(await uow.ledger.postings_of(ob.id), tranches)
    return Line(ob.fiscal_year, ob.country, ob.id, ob.nomination_id), held, list(tranches.values())


async def write_postings(
    uow: FundingUnitOfWork,
    allocation: AllocationRecord,
    ob: Obligation,
    postings: list[Posting],
    tranches: list[TrancheState],
) -> None:
    """Apply the postings to the stored balances and write them, in the same transaction."""
    for p in postings:
        allocation.balance.apply(p)
        ob.apply(p)
        for t in tranches:
            t.apply(p)
    await uow.obligations.save(ob)
    await uow.post(postings)
    await uow.allocations.save_balances(allocation)
    touched = {p.tranche_id for p in postings}
    await uow.appropriations.save_drawn([t for t in tranches if t.id in touched])


def line_summary(ob: Obligation) -> dict[str, object]:
    return {
        "status": str(ob.status),
        "outstanding": str(ob.outstanding),
        "penalty_amount": str(ob.penalty_amount),
        "penalty_rule": ob.penalty_rule,
        "returned_amount": str(ob.returned_amount),
        "lapsed_amount": str(ob.lapsed_amount),
    }
