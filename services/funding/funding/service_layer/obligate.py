"""Obligating funds for a nomination's training line (`nomination.funding_requested`).

Invariants:
- Anti-Deficiency Act: the obligation is decided under a row lock on the country's allocation
  (SELECT ... FOR UPDATE), so concurrent requests are decided one after the other against the
  balance the previous one left; the database CHECK on the allocation is the second guard.
- A request id is handled once; a nomination holds at most one active obligation (a later,
  different request while one is active is recorded as a duplicate and changes nothing).
- A request whose class or course funding does not know yet waits as `pending_reference_data`
  and is decided when the catalog event arrives (ADR 0030); requests still waiting after the
  configured time are rejected with `class_unknown` by a job.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from funding.domain import events
from funding.domain.allocation import AllocationRecord
from funding.domain.availability import Line, obligation_postings
from funding.domain.errors import FundingRequestNotFound, RequestNotHeld
from funding.domain.obligation import (
    Draws,
    NotYetAvailable,
    Obligation,
    Rejection,
    RejectionReason,
    RequestStatus,
    decide_obligation,
)
from funding.domain.request import FundingRequest
from funding.service_layer.costing import CostedLine, cost_line
from funding.service_layer.program_lines import fill_line, held_outside_program
from funding.service_layer.unit_of_work import FundingUnitOfWork
from shared.observability import get_logger

log = get_logger("funding.obligate")


async def request_funding(
    uow: FundingUnitOfWork, request: FundingRequest, today: date
) -> FundingRequest:
    """Obligate the estimated cost of the training line against the country's allocation for
    the fiscal year, or reject it with the first reason that applies (no appropriation, no
    allocation, funds expired, insufficient funds, no tuition rate). A request repeated with
    the same request id changes nothing."""
    await uow.catalog.serialize_course(request.masl_id)
    if not await uow.requests.add_new(request, uow.cause_event_id):
        log.info("funding.request_repeated", request_id=str(request.request_id))
        seen = await uow.requests.get(request.request_id)
        await uow.commit()
        return seen or request
    uow.audit(
        "funding_request.received",
        "funding_request",
        str(request.request_id),
        after=request.view(),
    )
    await _decide(uow, request, today)
    await uow.commit()
    return request


async def retry_pending(
    uow: FundingUnitOfWork,
    today: date,
    *,
    class_id: uuid.UUID | None = None,
    masl_id: str | None = None,
) -> int:
    """Decide the requests that waited for this class's or course's facts; returns how many."""
    waiting = await uow.requests.pending(class_id=class_id, masl_id=masl_id)
    decided = 0
    for request in waiting:
        await _decide(uow, request, today)
        decided += request.status is not RequestStatus.PENDING_REFERENCE_DATA
    return decided


async def reject_stale_pending(uow: FundingUnitOfWork, received_before: datetime) -> int:
    """Reject with `class_unknown` the requests that waited for reference data since before
    `received_before`: the catalog never announced their class, and the nomination must not
    wait forever. Returns how many were rejected."""
    stale = await uow.requests.pending(received_before=received_before, skip_locked=True)
    for request in stale:
        await _reject(uow, request, Rejection(RejectionReason.CLASS_UNKNOWN))
    await uow.commit()
    return len(stale)


async def _decide(uow: FundingUnitOfWork, request: FundingRequest, today: date) -> None:
    costed = await cost_line(uow, request.class_id, request.country, request.with_dependents)
    if costed is RejectionReason.CLASS_UNKNOWN:
        log.info(
            "funding.request_pending",
            request_id=str(request.request_id),
            class_id=str(request.class_id),
        )
        return
    allocation = await uow.allocations.find(request.country, request.fiscal_year, lock=True)
    active = await uow.obligations.active_for(request.nomination_id)
    if active is not None:
        await uow.requests.decide(request, RequestStatus.DUPLICATE, obligation_id=active.id)
        uow.audit(
            "funding_request.duplicate",
            "funding_request",
            str(request.request_id),
            after={"status": RequestStatus.DUPLICATE, "obligation_id": str(active.id)},
        )
        return
    if isinstance(costed, RejectionReason):
        await _reject(uow, request, Rejection(costed))
        return
    line = await uow.programs.open_line(request.country, request.fiscal_year, request.masl_id)
    if line is None and await held_outside_program(uow, request):
        return
    appropriation = await uow.appropriations.get(request.fiscal_year)
    tranches = (
        await uow.appropriations.tranches(request.fiscal_year, lock=True) if allocation else []
    )
    decision = decide_obligation(
        amount=costed.estimate.total,
        on=today,
        appropriation_exists=allocation is not None or appropriation is not None,
        allocation=allocation.balance if allocation else None,
        tranches=tranches,
        available_from=appropriation.available_from if appropriation else None,
    )
    if isinstance(decision, NotYetAvailable):
        await _wait_for_availability(uow, request, decision)
        return
    if isinstance(decision, Rejection):
        await _reject(uow, request, decision)
        return
    assert allocation is not None  # decide_obligation refuses without one
    await _obligate(uow, request, costed, allocation, decision, today)
    if line is not None:
        await fill_line(uow, request, line)


async def retry_available(uow: FundingUnitOfWork, fiscal_year: int, today: date) -> int:
    """Decide the requests that waited for the fiscal year's funds to become available (the
    fiscal year began, or advance availability was recorded); returns how many were decided."""
    waiting = await uow.requests.pending(
        statuses=(RequestStatus.PENDING_AVAILABILITY,), fiscal_year=fiscal_year, skip_locked=True
    )
    decided = 0
    for request in waiting:
        await _decide(uow, request, today)
        decided += request.status is not RequestStatus.PENDING_AVAILABILITY
    return decided


async def approve_exception(
    uow: FundingUnitOfWork, request_id: uuid.UUID, reason: str, today: date
) -> FundingRequest:
    """A funding officer lets a request outside its country's approved program be decided
    (recorded: who, when, why; audited); it is then obligated, or rejected, as any other."""
    request = await uow.requests.get(request_id, lock=True)
    if request is None:
        raise FundingRequestNotFound(f"No funding request {request_id}.")
    if request.status is not RequestStatus.PENDING_PROGRAM_EXCEPTION:
        raise RequestNotHeld(
            f"The request is {request.status}, not waiting for a program exception."
        )
    await uow.catalog.serialize_course(request.masl_id)
    await uow.programs.record_exception(request.request_id, reason, uow.actor.subject)
    uow.audit(
        "funding_request.program_exception", "funding_request", str(request.request_id),
        after={"reason": reason, "masl_id": request.masl_id, "country": request.country},
    )  # fmt: skip
    await _decide(uow, request, today)
    await uow.commit()
    return request


async def _wait_for_availability(
    uow: FundingUnitOfWork, request: FundingRequest, waiting: NotYetAvailable
) -> None:
    """Funds of a fiscal year are never obligated before it begins (ADR 0061): nothing is
    published, the nomination keeps waiting in `funding`, the request says until when."""
    if request.status is RequestStatus.PENDING_AVAILABILITY:
        return
    await uow.requests.wait(request, RequestStatus.PENDING_AVAILABILITY)
    uow.audit(
        "funding_request.awaiting_availability", "funding_request", str(request.request_id),
        after={"status": request.status, "available_from": waiting.available_from.isoformat()},
    )  # fmt: skip
    log.info(
        "funding.request_awaits_availability",
        request_id=str(request.request_id),
        available_from=waiting.available_from.isoformat(),
    )


async def _reject(uow: FundingUnitOfWork, request: FundingRequest, rejection: Rejection) -> None:
    await uow.requests.decide(request, RequestStatus.REJECTED, rejection.reason)
    uow.audit(
        "funding_request.rejected",
        "funding_request",
        str(request.request_id),
        after={"status": RequestStatus.REJECTED, "reason": rejection.reason},
    )
    uow.emit(events.obligation_rejected(request, rejection))


async def _obligate(
    uow: FundingUnitOfWork,
    request: FundingRequest,
    costed: CostedLine,
    allocation: AllocationRecord,
    draws: Draws,
    today: date,
) -> None:
    ref, cost = costed.reference, costed.estimate
    ob = Obligation(
        id=uuid.uuid4(),
        nomination_id=request.nomination_id,
        request_id=request.request_id,
        allocation_id=allocation.id,
        country=request.country,
        fiscal_year=request.fiscal_year,
        class_id=ref.class_id,
        masl_id=ref.masl_id,
        course_category=ref.category,
        dedicated=ref.dedicated,
        class_start_date=ref.start_date,
        course_days=costed.days,
        funding_source=request.funding_source,
        amount=cost.total,
        tuition=cost.tuition,
        travel=cost.travel,
        living_allowance=cost.living_allowance,
        obligated_on=today,
    )
    line = Line(ob.fiscal_year, ob.country, ob.id, ob.nomination_id)
    postings = obligation_postings(line, draws, "training line obligated")
    for p in postings:
        allocation.balance.apply(p)
        ob.apply(p)
        for tranche, _ in draws:
            tranche.apply(p)
    await uow.obligations.add(ob)
    await uow.post(postings)
    await uow.allocations.save_balances(allocation)
    await uow.appropriations.save_drawn([t for t, _ in draws])
    await uow.requests.decide(request, RequestStatus.OBLIGATED, obligation_id=ob.id)
    uow.audit(
        "obligation.recorded",
        "obligation",
        str(ob.id),
        after={
            "nomination_id": str(ob.nomination_id),
            "country": ob.country,
            "fiscal_year": ob.fiscal_year,
            "amount": str(ob.amount),
            "tuition": str(ob.tuition),
            "travel": str(ob.travel),
            "living_allowance": str(ob.living_allowance),
            "request_id": str(request.request_id),
        },
    )
    uow.emit(events.obligation_recorded(ob, cost.living))
