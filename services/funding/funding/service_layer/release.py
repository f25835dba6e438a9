"""Releasing obligations: withdrawal or cancellation, early end of training, refilled seats.

- Withdrawal / cancellation: the line is deobligated minus the charge the penalty rules decide
  (first matching rule by priority; U.S.-initiated cancellations carry none). A request still
  waiting for reference data is closed instead: nothing was obligated.
- Training ended early: travel and the living allowance of the days attended stay obligated,
  tuition is charged prorated by the days attended, the rest is deobligated.
- A refill known before the release waives a charge whose rule says so (`refills` refunds one
  learnt later).
Released money returns to the allocation while its tranche is available, else it lapses.
Every step is a no-op when the obligation is no longer in the state it expects.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from funding.domain import events
from funding.domain.allocation import AllocationRecord
from funding.domain.availability import release_postings
from funding.domain.calendar import days_before_start
from funding.domain.money import ZERO, prorate
from funding.domain.obligation import Obligation, ObligationStatus, RequestStatus
from funding.domain.penalties import (
    Initiator,
    PenaltyDecision,
    ReleaseFacts,
    Trigger,
    decide_penalty,
)
from funding.domain.request import WAITING
from funding.service_layer.lines import (
    holdings,
    line_summary,
    lock_active,
    write_postings,
)
from funding.service_layer.program_lines import reopen_line
from funding.service_layer.unit_of_work import FundingUnitOfWork
from shared.observability import get_logger

log = get_logger("funding.release")


async def release_for_cancellation(
    uow: FundingUnitOfWork,
    nomination_id: uuid.UUID,
    masl_id: str,
    *,
    initiated_by: Initiator,
    cancelled_on: date,
    reason: str,
    today: date,
) -> None:
    """Deobligate a withdrawn or cancelled nomination's line minus the cancellation charge:
    dedicated courses 100% of tuition unless the seat is refilled, other courses 50% when the
    country cancels less than 60 days before the start, nothing when the U.S. cancels (all
    parameters are penalty rules, i.e. data)."""
    await uow.catalog.serialize_course(masl_id)
    for request in await uow.requests.pending(nomination_id=nomination_id, statuses=WAITING):
        await uow.requests.decide(request, RequestStatus.WITHDRAWN)
        uow.audit(
            "funding_request.withdrawn",
            "funding_request",
            str(request.request_id),
            after={"status": RequestStatus.WITHDRAWN, "reason": reason},
        )
    locked = await lock_active(uow, nomination_id)
    if locked is None:
        await uow.commit()
        return
    allocation, ob = locked
    start = await uow.catalog.class_start(ob.class_id) or ob.class_start_date
    facts = ReleaseFacts(
        Trigger.CANCELLATION,
        initiated_by,
        ob.dedicated,
        days_before_start(start, cancelled_on),
        ob.tuition,
        ob.course_days,
        seat_refilled=await uow.catalog.is_refilled(nomination_id),
    )
    decision = decide_penalty(await uow.reference.penalty_rules(), facts)
    charge = min(decision.amount, ob.outstanding)
    await _settle(
        uow,
        allocation,
        ob,
        release=ob.outstanding - charge,
        charge=charge,
        decision=decision,
        status=ObligationStatus.RELEASED,
        reason=reason,
        today=today,
    )
    await reopen_line(uow, ob)
    await uow.commit()


async def release_for_denial(uow: FundingUnitOfWork, nomination_id: uuid.UUID, today: date) -> None:
    """Vetting denied a nomination that already asked for money (re-vetting after a lapsed
    approval): release it all; the U.S. side ended the line, so no penalty applies. Nothing
    happens when the nomination has neither an active obligation nor a waiting request."""
    active = await uow.obligations.active_for(nomination_id)
    pending = await uow.requests.pending(nomination_id=nomination_id, statuses=WAITING)
    masl_id = active.masl_id if active is not None else (pending[0].masl_id if pending else None)
    if masl_id is None:
        return
    await release_for_cancellation(
        uow,
        nomination_id,
        masl_id,
        initiated_by=Initiator.US_GOVERNMENT,
        cancelled_on=today,
        reason="vetting_denied",
        today=today,
    )


async def settle_training_end(
    uow: FundingUnitOfWork,
    nomination_id: uuid.UUID,
    *,
    completed: bool,
    days_attended: int,
    today: date,
) -> None:
    """Close the line when training ends. Completed: everything stays obligated. Ended early:
    travel and the living allowance of the days attended stay obligated, tuition prorated by
    the days attended is charged (the non-completion rule), the remainder is deobligated."""
    active = await uow.obligations.active_for(nomination_id)
    if active is None:
        log.info("funding.training_end_without_obligation", nomination_id=str(nomination_id))
        return
    await uow.catalog.serialize_course(active.masl_id)
    locked = await lock_active(uow, nomination_id)
    if locked is None:
        return
    allocation, ob = locked
    if completed:
        ob.close(ObligationStatus.COMPLETED, today, "training completed")
        await uow.obligations.save(ob)
        uow.audit("obligation.completed", "obligation", str(ob.id), after={"status": ob.status})
        await uow.commit()
        return
    facts = ReleaseFacts(
        Trigger.NON_COMPLETION,
        Initiator.COUNTRY,
        ob.dedicated,
        0,
        ob.tuition,
        ob.course_days,
        days_attended=days_attended,
    )
    decision = decide_penalty(await uow.reference.penalty_rules(), facts)
    kept = ob.travel + prorate(ob.living_allowance, days_attended, ob.course_days)
    charge = min(decision.amount, max(ZERO, ob.outstanding - kept))
    release = max(ZERO, ob.outstanding - kept - charge)
    await _settle(
        uow,
        allocation,
        ob,
        release=release,
        charge=charge,
        decision=decision,
        status=ObligationStatus.TERMINATED,
        reason="training_ended_early",
        today=today,
    )
    await uow.commit()


async def _settle(
    uow: FundingUnitOfWork,
    allocation: AllocationRecord,
    ob: Obligation,
    *,
    release: Decimal,
    charge: Decimal,
    decision: PenaltyDecision,
    status: ObligationStatus,
    reason: str,
    today: date,
) -> None:
    before = line_summary(ob)
    line, held, tranches = await holdings(uow, ob)
    postings = release_postings(line, held, release=release, charge=charge, on=today, reason=reason)
    ob.close(status, today, reason)
    if charge > 0 or decision.waived_by_refill:
        ob.penalty_rule = decision.rule
        ob.penalty_refundable = decision.refundable_on_refill and charge > 0
    await write_postings(uow, allocation, ob, postings, tranches)
    uow.audit(
        f"obligation.{status}", "obligation", str(ob.id), before=before, after=line_summary(ob)
    )
    if charge > 0:
        uow.emit(events.penalty_charged(ob, charge, decision.rule))
    uow.emit(events.deobligated(ob, postings, penalty=charge, reason=reason))
