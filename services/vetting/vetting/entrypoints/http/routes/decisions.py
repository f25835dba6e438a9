"""`/api/v1/vetting/cases/{case_id}/decisions`: vetters decide; a second vetter confirms."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from vetting.adapters import queries
from vetting.domain.decision import Outcome, Result
from vetting.domain.errors import CaseNotFound, DecisionNotFound
from vetting.entrypoints.authorization import FullReader, Vetter
from vetting.entrypoints.http.deps import (
    NowDep,
    OptionalIfMatch,
    RuntimeDep,
    SettingsDep,
    version_check,
)
from vetting.entrypoints.http.schemas.common import problems
from vetting.entrypoints.http.schemas.decisions import (
    ConfirmationCreate,
    DecisionCreate,
    DecisionPublic,
    decision_public,
)
from vetting.service_layer import decisions

router = APIRouter(prefix="/api/v1/vetting/cases/{case_id}/decisions", tags=["decisions"])


@router.post(
    "", status_code=201, response_model=DecisionPublic, responses=problems(400, 404, 409, 412, 422)
)
async def decide_case(
    case_id: UUID,
    body: DecisionCreate,
    response: Response,
    principal: Vetter,
    runtime: RuntimeDep,
    settings: SettingsDep,
    now: NowDep,
    if_match: OptionalIfMatch,
) -> DecisionPublic:
    """A vetter decides the case: `approved`, `suspended` (not cleared; may be re-decided),
    `denied` or `cancelled`, with a mandatory rationale and a fitting reason code. An open case
    takes any result, a suspended one approved/denied/cancelled; approved, denied and cancelled
    cases take none (409). No member of a unit on the derogatory registry can be approved (409
    `unit-blocked`). Under the two-person rule a denial, or an approval of a case flagged as a
    possible duplicate, is `pending_confirmation` until a second vetter confirms it; nothing is
    published until then. Send `If-Match` with the case's ETag to decide only on what you read.
    """
    command = decisions.DecideCase(Result(body.result), body.reason_code, body.rationale)
    async with runtime.uow(principal) as uow:
        case, decision = await decisions.decide_case(
            uow, case_id, command, settings.policy(), now, check=version_check(if_match)
        )
    response.headers["Location"] = f"{router.prefix.format(case_id=case.id)}/{decision.id}"
    return decision_public(case, decision)


@router.get("/{decision_id}", response_model=DecisionPublic, responses=problems(404, 422))
async def get_decision(
    case_id: UUID, decision_id: UUID, principal: FullReader, runtime: RuntimeDep
) -> DecisionPublic:
    """One decision of a case, with its confirmation and state. Vetters and auditors."""
    async with runtime.sessions() as session:
        case = await queries.one_case(session, case_id)
    if case is None:
        raise CaseNotFound(f"No vetting case {case_id}.")
    decision = next((d for d in case.history if d.id == decision_id), None)
    if decision is None:
        raise DecisionNotFound(f"Case {case_id} has no decision {decision_id}.")
    return decision_public(case, decision)


@router.post(
    "/{decision_id}/confirmation",
    response_model=DecisionPublic,
    responses=problems(400, 404, 409, 412, 422),
)
async def confirm_decision(
    case_id: UUID,
    decision_id: UUID,
    body: ConfirmationCreate,
    principal: Vetter,
    runtime: RuntimeDep,
    settings: SettingsDep,
    now: NowDep,
    if_match: OptionalIfMatch,
) -> DecisionPublic:
    """Two-person rule: a second vetter (never the one who filed it, 403) `confirmed` or
    `rejected` the decision waiting for confirmation. Confirmed, it takes effect and is
    published (an approval is valid from today); rejected, the case returns to where it was.
    """
    command = decisions.ConfirmDecision(Outcome(body.outcome), body.rationale)
    async with runtime.uow(principal) as uow:
        case, decision = await decisions.confirm_decision(
            uow,
            case_id,
            decision_id,
            command,
            settings.policy(),
            now,
            check=version_check(if_match),
        )
    return decision_public(case, decision)
