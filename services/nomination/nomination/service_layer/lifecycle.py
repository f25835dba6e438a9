"""Commands on a nomination in the pipeline: withdraw, cancel, retry funding, training."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from nomination.domain import events
from nomination.domain.commands import Command, Context
from nomination.domain.ending import WithdrawalReason
from nomination.domain.errors import TransitionRefused, TravelOrderGateClosed
from nomination.domain.gate import gate_problems
from nomination.domain.nomination import Nomination
from nomination.service_layer import process
from nomination.service_layer.authorization import require_own_country
from nomination.service_layer.changes import apply_outcome
from nomination.service_layer.config import Config
from nomination.service_layer.nominations import visible_nomination
from nomination.service_layer.screening import facts_of, funding_refusal
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.auth.principal import Principal


async def withdraw_nomination(
    uow: NominationUnitOfWork, principal: Principal, nomination_id: UUID, reason: str | None,
    reason_code: WithdrawalReason = "not_stated",
) -> Nomination:  # fmt: skip
    """The SCO withdraws the nomination at any step before training. Publishes
    `nomination.withdrawn`: catalog releases the seat or waitlist place, funding deobligates
    (minus any penalty), vetting cancels an undecided case; each confirmation is recorded."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    require_own_country(principal, row.country)
    new = await process.withdraw(uow, row, reason, reason_code)
    await uow.commit()
    return new


async def cancel_nomination(
    uow: NominationUnitOfWork, principal: Principal, nomination_id: UUID, reason: str | None
) -> Nomination:
    """An administrator cancels the nomination (U.S.-initiated, `administrative`); the same
    compensations as a withdrawal follow."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    new = await process.cancel(uow, row, "administrative", "us_government", detail=reason)
    await uow.commit()
    return new


async def retry_funding(
    uow: NominationUnitOfWork, principal: Principal, nomination_id: UUID
) -> Nomination:
    """After a rejection (e.g. insufficient funds, once the allocation grew) ask funding again.
    Only for a nomination whose vetting is approved and whose seat is still held, and for an
    E-IMET line only while the course's E-IMET certification holds."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    outcome = row.decide(Command.RETRY_FUNDING)
    refusal = await funding_refusal(uow, row)
    if refusal is not None:
        raise TransitionRefused(f"cannot retry funding: {refusal.message}", failed=[refusal.code])
    new = await apply_outcome(
        uow, row, outcome, reason="funding_retried", action="nomination.funding_retried"
    )
    await uow.commit()
    return new


async def start_training(
    uow: NominationUnitOfWork,
    principal: Principal,
    nomination_id: UUID,
    on: date,
    config: Config,
    today: date,
) -> Nomination:
    """The student reported: ready_for_travel -> in_training, on a CURRENT travel order only
    (a recalled or superseded one never serves), and only if the whole travel-order gate holds
    today - the same gate that issued the order, not merely "an order exists"."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    require_own_country(principal, row.country)
    uow.rules = config.rules
    order = await uow.travel_orders.current(row.id)
    outcome = row.decide(Command.START_TRAINING, Context(ito_issued=order is not None))
    assert order is not None  # the command's guard refused otherwise
    missing = gate_problems(
        await facts_of(uow, row), config.rules, on=today, english_on=order.issued_at.date()
    )
    if missing:
        raise TravelOrderGateClosed(
            "The travel order no longer stands: " + ", ".join(p.code for p in missing) + ".",
            missing=[{"code": p.code, "field": p.field, "message": p.message} for p in missing],
        )
    new = await apply_outcome(
        uow, row, outcome, reason="reported", values={"training_started_on": on},
        action="nomination.training_started",
    )  # fmt: skip
    await uow.commit()
    return new


async def end_training(
    uow: NominationUnitOfWork,
    principal: Principal,
    nomination_id: UUID,
    *,
    completed: bool,
    on: date,
    days_attended: int | None,
    reason: str | None = None,
) -> Nomination:
    """Completed (all days attended) or terminated early after `days_attended` days. Publishes
    `nomination.training_ended`; for a non-completion funding deobligates the unused tuition."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    require_own_country(principal, row.country)
    command = Command.COMPLETE if completed else Command.TERMINATE
    outcome = row.decide(command)
    started = row.training_started_on
    assert started is not None  # the command's guard: only a nomination in training ends it
    if on < started:
        raise TransitionRefused("Training cannot end before it started.", failed=["ended_on"])
    attended = (on - started).days + 1 if days_attended is None else days_attended
    if attended > (on - started).days + 1:
        raise TransitionRefused(
            "More days attended than days between start and end.", failed=["days_attended"]
        )
    new = await apply_outcome(
        uow, row, outcome, reason="completed" if completed else "terminated", note=reason,
        values={"training_ended_on": on, "days_attended": attended},
        action="nomination.training_ended",
    )  # fmt: skip
    uow.emit(events.TrainingEnded(new, completed, attended, on))
    await uow.commit()
    return new
