"""`/api/v1/nominations/{id}/...`: withdraw, cancel, retry funding, and the training lifecycle."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from nomination.domain.nomination import Nomination
from nomination.entrypoints.authorization import Admin, FundingRetrier, Nominator
from nomination.entrypoints.http.deps import ConfigDep, RuntimeDep, Today
from nomination.entrypoints.http.schemas.nominations import (
    CancelRequest,
    CompleteTrainingRequest,
    NominationPublic,
    StartTrainingRequest,
    TerminateTrainingRequest,
    WithdrawRequest,
)
from nomination.entrypoints.http.views import PREFIX, nomination_public
from nomination.service_layer import lifecycle as use_cases
from shared.auth.principal import Principal
from shared.http.etag import set_etag

router = APIRouter(prefix=PREFIX, tags=["nominations"])


def _answer(response: Response, row: Nomination, principal: Principal) -> NominationPublic:
    set_etag(response, row.id, row.version)
    return nomination_public(row, principal)


@router.post("/{nomination_id:uuid}/withdraw", response_model=NominationPublic)
async def withdraw_nomination(
    nomination_id: UUID,
    principal: Nominator,
    runtime: RuntimeDep,
    response: Response,
    body: WithdrawRequest | None = None,
) -> NominationPublic:
    """The SCO withdraws the nomination (any state from draft to ready_for_travel). Publishes
    `nomination.withdrawn`; catalog releases the seat, funding deobligates (minus any penalty),
    vetting cancels an undecided case. Each confirmation appears in `compensations` and the
    history."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.withdraw_nomination(
            uow, principal, nomination_id, body.reason if body else None,
            body.reason_code if body else "not_stated",
        )  # fmt: skip
    return _answer(response, row, principal)


@router.post("/{nomination_id:uuid}/cancel", response_model=NominationPublic)
async def cancel_nomination(
    nomination_id: UUID,
    body: CancelRequest,
    principal: Admin,
    runtime: RuntimeDep,
    response: Response,
) -> NominationPublic:
    """Administrative cancellation (admins; U.S.-initiated). Same compensations as a withdrawal;
    publishes `nomination.cancelled` with reason `administrative`."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.cancel_nomination(uow, principal, nomination_id, body.reason)
    return _answer(response, row, principal)


@router.post("/{nomination_id:uuid}/retry-funding", response_model=NominationPublic)
async def retry_funding(
    nomination_id: UUID, principal: FundingRetrier, runtime: RuntimeDep, response: Response
) -> NominationPublic:
    """After `funding_rejected` (e.g. insufficient funds, once the allocation grew): request
    funding again. Needs an approved vetting and a held seat (409 otherwise). Funding officers,
    admins or the SCO. Publishes `nomination.funding_requested`."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.retry_funding(uow, principal, nomination_id)
    return _answer(response, row, principal)


@router.post("/{nomination_id:uuid}/start-training", response_model=NominationPublic)
async def start_training(
    nomination_id: UUID,
    principal: Nominator,
    runtime: RuntimeDep,
    config: ConfigDep,
    today: Today,
    response: Response,
    body: StartTrainingRequest | None = None,
) -> NominationPublic:
    """The student reported to the school: ready_for_travel -> in_training. Only on a CURRENT
    Invitational Travel Order (409 `transition-refused` when none: never issued, recalled or
    superseded) and only when the whole travel-order gate still holds (409 `ito-gate-closed`
    listing what no longer does): the same gate that issues orders."""
    on = body.started_on if body and body.started_on else today
    async with runtime.uow(principal) as uow:
        row = await use_cases.start_training(uow, principal, nomination_id, on, config, today)
    return _answer(response, row, principal)


@router.post("/{nomination_id:uuid}/complete", response_model=NominationPublic)
async def complete_training(
    nomination_id: UUID,
    principal: Nominator,
    runtime: RuntimeDep,
    today: Today,
    response: Response,
    body: CompleteTrainingRequest | None = None,
) -> NominationPublic:
    """The student completed the course: in_training -> completed. Publishes
    `nomination.training_ended` (completed)."""
    on = body.ended_on if body and body.ended_on else today
    async with runtime.uow(principal) as uow:
        row = await use_cases.end_training(
            uow, principal, nomination_id, completed=True, on=on, days_attended=None
        )
    return _answer(response, row, principal)


@router.post("/{nomination_id:uuid}/terminate", response_model=NominationPublic)
async def terminate_training(
    nomination_id: UUID,
    body: TerminateTrainingRequest,
    principal: Nominator,
    runtime: RuntimeDep,
    today: Today,
    response: Response,
) -> NominationPublic:
    """The student left before the end: in_training -> training_terminated after `days_attended`
    days. Publishes `nomination.training_ended` (not completed): funding charges the prorated
    tuition and deobligates the rest."""
    async with runtime.uow(principal) as uow:
        row = await use_cases.end_training(
            uow, principal, nomination_id, completed=False, on=body.ended_on or today,
            days_attended=body.days_attended, reason=body.reason,
        )  # fmt: skip
    return _answer(response, row, principal)
