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

from decimal import Decimal
from typing import Any
from uuid import UUID

from nomination.domain import events
from nomination.domain.commands import Command
from nomination.domain.ending import CancelReason, Initiator, WithdrawalReason
from nomination.domain.machine import Action, Fact, Outcome
from nomination.domain.nomination import Nomination
from nomination.domain.states import CANCELLABLE, TERMINAL
from nomination.service_layer.changes import add_history, apply_outcome
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
) -> Nomination | None:
    """Record `fact` on the nomination and move it on; None for a nomination we do not know."""
    row = await uow.nominations.get(nomination_id, for_update=True)
    if row is None:
        log.warning(
            "nomination.fact_for_unknown_nomination",
            nomination_id=str(nomination_id),
            fact=fact.value,
        )
        return None
    before = row.progress
    recorded = row.record(fact)
    steps = row.confirm_compensation(fact)
    if recorded is None and steps is None:
        log.info("nomination.fact_ignored", nomination_id=str(row.id), fact=fact.value)
        return row
    extra = dict(values or {})
    if steps is not None:
        extra["compensations"] = steps
    outcome = row.settle(recorded or before)
    if Action.REQUEST_FUNDING in outcome.actions:
        refusal = await funding_refusal(uow, row)
        if refusal is not None:
            outcome = row.settle(recorded or before, funding_refused=True)
            reason = refusal.code.replace("-", "_")
            detail = {**(detail or {}), "funding_refused": refusal.code}
    if (
        fact is Fact.VETTING_DENIED
        and before.state not in TERMINAL
        and outcome.progress.state in TERMINAL
    ):
        owed = row.compensations_after_denial()
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


async def record_penalty(
    uow: NominationUnitOfWork, nomination_id: UUID, amount: Decimal, rule: str
) -> None:
    """A cancellation or non-completion charge: recorded in the history, shown on the nomination."""
    row = await uow.nominations.get(nomination_id, for_update=True)
    if row is None:
        return
    await add_history(
        uow, row, "compensation", reason="penalty_charged",
        detail={"amount": f"{amount:.2f}", "rule": rule},
    )  # fmt: skip
    await apply_outcome(
        uow, row, Outcome(row.progress), values={"penalty_amount": amount},
        action="nomination.penalty_charged",
    )  # fmt: skip


async def approval_is_stale(
    uow: NominationUnitOfWork, nomination_id: UUID, case_id: UUID, vetted_revision: int | None
) -> bool:
    """An approval about an older revision of the candidate's vetted facts no longer counts: it
    is noted in the history (and changes nothing else)."""
    if vetted_revision is None:
        return False
    row = await uow.nominations.get(nomination_id, for_update=True)
    candidate = await uow.candidates.get(row.candidate_id) if row is not None else None
    if row is None or candidate is None or candidate.vetted_revision <= vetted_revision:
        return False
    await add_history(
        uow, row, "fact", reason="stale_approval_ignored",
        detail={"case_id": str(case_id), "vetted_revision": vetted_revision,
                "current_revision": candidate.vetted_revision},
    )  # fmt: skip
    return True


async def withdraw(
    uow: NominationUnitOfWork, row: Nomination, reason: str | None,
    reason_code: WithdrawalReason = "not_stated",
) -> Nomination:  # fmt: skip
    """End the nomination at the SCO's request; compensations follow (ADR 0004). The SCO's
    words (`reason`) stay here; the events carry `reason_code` (ADR 0057)."""
    before = row.progress
    outcome = row.decide(Command.WITHDRAW)
    steps = row.compensations_owed()
    new = await apply_outcome(
        uow, row, outcome, reason="withdrawn_by_sco", note=reason,
        values={"compensations": steps}, action="nomination.withdrawn",
    )  # fmt: skip
    uow.emit(events.NominationWithdrawn(new, before.state, reason_code, uow.clock().date()))
    await _await_compensations(uow, new, steps)
    return new


async def cancel(
    uow: NominationUnitOfWork, row: Nomination, reason: CancelReason, initiated_by: Initiator,
    *, detail: str | None = None,
) -> Nomination:  # fmt: skip
    """End the nomination for the U.S. side's (or the country's) reason; compensations follow."""
    before = row.progress
    outcome = row.decide(Command.CANCEL)
    steps = row.compensations_owed()
    new = await apply_outcome(
        uow, row, outcome, reason=reason, note=detail, values={"compensations": steps},
        action="nomination.cancelled",
    )  # fmt: skip
    uow.emit(
        events.NominationCancelled(new, before.state, reason, initiated_by, uow.clock().date())
    )
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
        if row is not None and row.state in CANCELLABLE:
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
    uow: NominationUnitOfWork, row: Nomination, steps: dict[str, str]
) -> None:
    if steps:
        await add_history(uow, row, "compensation", reason="compensations_requested", detail=steps)
