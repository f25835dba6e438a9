"""Persisting what the state machine decided: the row, its history, the audit, the events.

Every change of a nomination goes through `apply_outcome`, so none can skip the history entry
(actor, time, reason, causing event id), the audit row (before/after), the
`nomination.state_changed` event or the review of its travel order (recalled in the same
transaction when the change breaks the gate), and a funding request is published exactly when
the machine asked for one. The caller holds the nomination's row lock.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from nomination.domain import events
from nomination.domain.machine import Action, Outcome
from nomination.domain.nomination import Nomination, progress_values
from nomination.service_layer.screening import review_travel_order
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.observability import get_logger

log = get_logger("nomination.changes")


async def add_history(
    uow: NominationUnitOfWork,
    row: Nomination,
    kind: str,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
) -> None:
    await uow.nominations.add_history(
        row.id,
        kind=kind,
        actor=uow.actor.subject,
        cause_event_id=uow.cause_event_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        detail=detail,
    )


async def apply_outcome(
    uow: NominationUnitOfWork,
    row: Nomination,
    outcome: Outcome,
    *,
    reason: str | None = None,
    note: str | None = None,
    values: dict[str, Any] | None = None,
    action: str = "nomination.changed",
) -> Nomination:
    """Write the outcome on the (locked) row; record, audit and publish what changed.

    `reason` is a code (`StateChangeReason`): it is what the event and the log say. `note` is
    a person's own words (an SCO's or an administrator's): it becomes the status reason and
    the history's reason, readable through this service's API, and never leaves it."""
    before = row.progress
    after = outcome.progress
    changes: dict[str, Any] = {**progress_values(after), **(values or {})}
    moved = after.state is not before.state
    if moved:
        changes["status_reason"] = note or reason
    request_id = uuid4() if Action.REQUEST_FUNDING in outcome.actions else None
    if request_id is not None:
        changes["funding_request_id"] = request_id
    new = await uow.nominations.update(row, changes)
    if moved:
        await add_history(
            uow, new, "transition", reason=note or reason, from_state=before.state,
            to_state=after.state,
        )  # fmt: skip
        uow.emit(events.StateChanged(new, before.state, after.state, reason, uow.cause_event_id))
        log.info(
            "nomination.transition",
            nomination_id=str(new.id),
            from_state=before.state.value,
            to_state=after.state.value,
            reason=reason,
        )
    if request_id is not None:
        await add_history(
            uow, new, "decision", reason="funding_requested", detail={"request_id": str(request_id)}
        )
        uow.emit(events.FundingRequested(new, request_id))
    uow.audit(action, "nomination", str(new.id), before=row.audit_view(), after=new.audit_view())
    await review_travel_order(uow, new)
    return new
