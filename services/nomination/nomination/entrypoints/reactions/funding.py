"""Reactions to funding events: the obligation's facts, and the compensations it confirms."""

from __future__ import annotations

from nomination.domain.machine import Fact
from nomination.service_layer.process import record_fact, record_penalty
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.contracts.envelope import Envelope
from shared.contracts.funding.v1 import (
    DeobligatedV1,
    ObligationRecordedV1,
    ObligationRejectedV1,
    PenaltyChargedV1,
)


async def when_obligation_recorded_record_it(
    event: ObligationRecordedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await record_fact(
        uow, event.nomination_id, Fact.OBLIGATION_RECORDED,
        values={
            "obligation_id": event.obligation_id, "obligated_amount": event.amount,
            "living_allowance": event.living_allowance,
            "tla_lodging_per_day": event.lodging_per_day,
            "tla_meals_per_day": event.meals_per_day,
            "tla_incidentals_per_day": event.incidentals_per_day,
            "tla_days": event.living_allowance_days,
        },
        detail={"obligation_id": str(event.obligation_id), "amount": f"{event.amount:.2f}"},
    )  # fmt: skip


async def when_obligation_rejected_wait_for_retry(
    event: ObligationRejectedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """No money: the nomination waits in funding_rejected (withdraw, or retry when funds grow)."""
    detail: dict[str, str] = {"reason": event.reason}
    if event.requested_amount is not None:
        detail["requested_amount"] = f"{event.requested_amount:.2f}"
    if event.available_amount is not None:
        detail["available_amount"] = f"{event.available_amount:.2f}"
    await record_fact(
        uow, event.nomination_id, Fact.OBLIGATION_REJECTED, reason=event.reason, detail=detail
    )


async def when_deobligated_record_it(
    event: DeobligatedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await record_fact(
        uow, event.nomination_id, Fact.DEOBLIGATED,
        values={"penalty_amount": event.penalty_amount},
        detail={
            "obligation_id": str(event.obligation_id),
            "amount_returned": f"{event.amount_returned:.2f}",
            "penalty_amount": f"{event.penalty_amount:.2f}",
            "reason": event.reason,
        },
    )  # fmt: skip


async def when_penalty_charged_record_it(
    event: PenaltyChargedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """A cancellation or non-completion charge: recorded in the history, shown on the nomination."""
    await record_penalty(uow, event.nomination_id, event.amount, event.rule)
