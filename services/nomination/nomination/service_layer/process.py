"""The process manager's two moves: record a fact another service announced, end a nomination.

Facts (ADR 0004): each reaction records what the owning service said about its own aggregate
(seat, vetting case, obligation) as a sub-status, then `settle` decides from ALL the facts where
the nomination stands and whether to request funding. A fact that changes nothing - the same
news under another event id, a stale or out-of-order one - writes nothing, so reactions are
idempotent beyond the inbox and tolerant of arrival order across topics.

Ending (withdraw, cancel): the nomination moves to its terminal state, publishes
`nomination.withdrawn` / `nomination.cancelled`, and records which compensations it expects;
each is marked confirmed when the owner's event (seat released, deobligated, vetting cancelled)
arrives, and recorded in the history.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row

from nomination.adapters import publishing
from nomination.adapters.nomination_repository import progress_of
from nomination.domain import compensation
from nomination.domain.commands import Command, decide
from nomination.domain.ending import CancelReason, Initiator, WithdrawalReason
from nomination.domain.machine import Action, Fact, record, settle
from nomination.domain.states import CANCELLABLE, TERMINAL, State
from nomination.service_layer.changes import add_history, apply_outcome, today
from nomination.service_layer.screening import funding_refusal, review_travel_order
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.observability import get_logger

log = get_logger("nomination.process")


async def record_fact(
    uow: NominationUnitOfWork,
    nomination_id: UUID,
    fact: Fact,
    *,
    reason: str | None = None,
    values: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> Row[Any] | None:
    """Record `fact` on the nomination and move it on; None for a nomination we do not know."""
    row = await uow.nominations.get(nomination_id, for_update=True)
    if row is None:
        log.warning(
            "nomination.fact_for_unknown_nomination",
            nomination_id=str(nomination_id),
            fact=fact.value,
        )
        return None
    before = progress_of(row)
    recorded = record(before, fact)
    steps = compensation.confirm(row.compensations, fact) if before.state in TERMINAL else None
    if recorded is None and steps is None:
        log.info("nomination.fact_ignored", nomination_id=str(row.id), fact=fact.value)
        return row
    extra = dict(values or {})
    if steps is not None:
        extra["compensations"] = steps
    outcome = settle(recorded or before)
    if Action.REQUEST_FUNDING in outcome.actions:
        refusal = await funding_refusal(uow, row)
        if refusal is not None:
            outcome = settle(recorded or before, funding_refused=True)
            reason = refusal.code.replace("-", "_")
            detail = {**(detail or {}), "funding_refused": refusal.code}
    if (
        fact is Fact.VETTING_DENIED
        and before.state not in TERMINAL
        and outcome.progress.state in TERMINAL
    ):
        owed = compensation.after_denial(before)
        if owed:
            extra["compensations"] = owed
    kind = "compensation" if steps is not None else "fact"
    await add_history(uow, row, kind, reason=fact.value, detail=detail)
    new = await apply_outcome(
        uow, row, outcome, reason=reason or fact.value, values=extra,
        action=f"nomination.{fact.value}",
    )  # fmt: skip
    if steps is None and "compensations" in extra:
        await _await_compensations(uow, new, extra["compensations"])
    return new


async def withdraw(
    uow: NominationUnitOfWork, row: Row[Any], reason: str | None,
    reason_code: WithdrawalReason = "not_stated",
) -> Row[Any]:  # fmt: skip
    """End the nomination at the SCO's request; compensations follow (ADR 0004). The SCO's
    words (`reason`) stay here; the events carry `reason_code` (ADR 0057)."""
    before = progress_of(row)
    outcome = decide(before, Command.WITHDRAW)
    steps = compensation.expected(before)
    new = await apply_outcome(
        uow, row, outcome, reason="withdrawn_by_sco", note=reason,
        values={"compensations": steps}, action="nomination.withdrawn",
    )  # fmt: skip
    uow.publish(publishing.withdrawn(new, before.state, reason_code, today()))
    await _await_compensations(uow, new, steps)
    return new


async def cancel(
    uow: NominationUnitOfWork, row: Row[Any], reason: CancelReason, initiated_by: Initiator,
    *, detail: str | None = None,
) -> Row[Any]:  # fmt: skip
    """End the nomination for the U.S. side's (or the country's) reason; compensations follow."""
    before = progress_of(row)
    outcome = decide(before, Command.CANCEL)
    steps = compensation.expected(before)
    new = await apply_outcome(
        uow, row, outcome, reason=reason, note=detail, values={"compensations": steps},
        action="nomination.cancelled",
    )  # fmt: skip
    uow.publish(publishing.cancelled(new, before.state, reason, initiated_by, today()))
    await _await_compensations(uow, new, steps)
    return new


async def cancel_each(
    uow: NominationUnitOfWork, ids: list[UUID], reason: CancelReason, initiated_by: Initiator,
    *, detail: str | None = None,
) -> list[UUID]:  # fmt: skip
    """Cancel every nomination of `ids` that may still be cancelled; the ids it cancelled."""
    done = []
    for nomination_id in ids:
        row = await uow.nominations.get(nomination_id, for_update=True)
        if row is not None and State(row.status) in CANCELLABLE:
            await cancel(uow, row, reason, initiated_by, detail=detail)
            done.append(nomination_id)
    return done


async def review_orders(uow: NominationUnitOfWork, ids: list[UUID]) -> int:
    """Re-judge the current travel order of each nomination (a course or class it relies on
    changed); how many were recalled."""
    recalled = 0
    for nomination_id in ids:
        row = await uow.nominations.get(nomination_id, for_update=True)
        if row is not None and await review_travel_order(uow, row) is not None:
            recalled += 1
    return recalled


async def _await_compensations(
    uow: NominationUnitOfWork, row: Row[Any], steps: dict[str, str]
) -> None:
    if steps:
        await add_history(uow, row, "compensation", reason="compensations_requested", detail=steps)
