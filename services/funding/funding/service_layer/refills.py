"""A refilled seat refunds the dedicated-course charge of the nomination that gave it up."""

from __future__ import annotations

import uuid
from datetime import date

from funding.domain import events
from funding.domain.availability import refund_postings
from funding.domain.money import ZERO
from funding.service_layer.lines import (
    holdings,
    line_summary,
    locked_allocation,
    write_postings,
)
from funding.service_layer.unit_of_work import FundingUnitOfWork


async def refund_refilled_penalty(
    uow: FundingUnitOfWork,
    nomination_id: uuid.UUID,
    class_id: uuid.UUID,
    masl_id: str,
    *,
    refilled_by: uuid.UUID,
    today: date,
) -> None:
    """The seat a withdrawn nomination gave up was refilled: refund a charge whose rule is
    waived on refill (dedicated courses), and remember the refill in case the withdrawal has
    not been processed yet."""
    await uow.catalog.serialize_course(masl_id)
    if await uow.catalog.record_refill(nomination_id, class_id, refilled_by):
        uow.audit(
            "seat_refill.recorded",
            "seat_refill",
            str(nomination_id),
            after={"refilled_by": str(refilled_by)},
        )
    found = await uow.obligations.refundable_for(nomination_id)
    if found is None:
        await uow.commit()
        return
    allocation = await locked_allocation(uow, found.allocation_id)
    ob = await uow.obligations.get(found.id, lock=True)
    if ob is None or not ob.penalty_refundable or ob.penalty_amount <= 0:
        await uow.commit()
        return
    line, held, tranches = await holdings(uow, ob)
    postings = refund_postings(line, held, ob.penalty_amount, today, "seat refilled")
    ob.penalty_refundable = False
    await write_postings(uow, allocation, ob, postings, tranches)
    uow.audit("obligation.penalty_refunded", "obligation", str(ob.id), after=line_summary(ob))
    uow.emit(events.deobligated(ob, postings, penalty=ZERO, reason="seat_refilled"))
    await uow.commit()
