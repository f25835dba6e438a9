"""Requests meet program lines (ADR 0116), inside `obligate._decide`'s transaction: a request
outside its country's approved program is held for an exception; an obligation fills one
student of its line (under the line's row lock) and records estimate vs actual."""

from __future__ import annotations

from funding.domain import events
from funding.domain.obligation import Obligation, RequestStatus
from funding.domain.program import ProgramLine, ProgramStatus
from funding.domain.request import FundingRequest
from funding.service_layer.unit_of_work import FundingUnitOfWork
from shared.observability import get_logger

log = get_logger("funding.program_lines")


async def held_outside_program(uow: FundingUnitOfWork, request: FundingRequest) -> bool:
    """A request of a country whose program for the fiscal year is approved, with no open line
    of its course (none, or all full), waits for a funding officer's exception (ADR 0116);
    nothing is published, the nomination keeps waiting in `funding`. Countries without an
    approved program are funded as before, request by request."""
    program = await uow.programs.find(request.country, request.fiscal_year)
    if program is None or program.status is not ProgramStatus.APPROVED:
        return False
    if await uow.programs.has_exception(request.request_id):
        return False
    if request.status is not RequestStatus.PENDING_PROGRAM_EXCEPTION:
        await uow.requests.wait(request, RequestStatus.PENDING_PROGRAM_EXCEPTION)
        uow.audit(
            "funding_request.held_outside_program", "funding_request", str(request.request_id),
            after={"status": request.status, "program_id": str(program.id),
                   "masl_id": request.masl_id},
        )  # fmt: skip
    log.info("funding.request_held_outside_program", request_id=str(request.request_id))
    return True


async def fill_line(uow: FundingUnitOfWork, request: FundingRequest, line: ProgramLine) -> None:
    """The obligation fills one student of the line (held under its row lock; the CHECK
    filled <= quantity is the second guard); the fill records estimate vs actual."""
    ob = await uow.obligations.active_for(request.nomination_id)
    assert ob is not None  # just obligated
    estimated = line.unit_cost or ob.amount
    line.fill(ob.amount)
    await uow.programs.save_line(line)
    await uow.programs.record_fill(
        line, request.request_id, request.nomination_id, ob.id, estimated, ob.amount
    )
    uow.audit(
        "program.line_filled", "program_line", str(line.id),
        after={"request_id": str(request.request_id), "obligation_id": str(ob.id),
               "estimated": str(estimated), "actual": str(ob.amount),
               "filled": line.filled, "quantity": line.quantity},
    )  # fmt: skip
    uow.emit(events.program_line_filled(line.program_id, line, ob, estimated))


async def reopen_line(uow: FundingUnitOfWork, ob: Obligation) -> None:
    """The released obligation's seat on its program line opens again (the caller holds the
    allocation's lock, which serialises this with the requests of the same country)."""
    line = await uow.programs.line_filled_by(ob.id)
    if line is None:
        return
    line.release(ob.amount)
    await uow.programs.save_line(line)
    uow.audit(
        "program.line_reopened", "program_line", str(line.id),
        after={"obligation_id": str(ob.id), "filled": line.filled, "status": line.status.value},
    )  # fmt: skip
