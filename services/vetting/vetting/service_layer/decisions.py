"""Use cases of vetters: decide a case, confirm or reject a decision (two-person rule)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from shared.observability import get_logger
from vetting.domain.case import VettingCase
from vetting.domain.decision import Decision, DecisionPolicy, Outcome, Result
from vetting.domain.errors import CaseNotFound
from vetting.domain.moment import Moment
from vetting.service_layer.audit import case_snapshot, decision_snapshot
from vetting.service_layer.unit_of_work import VettingUnitOfWork

log = get_logger("vetting.decisions")

# Called with (case id, version read under the row lock); raises when the client's If-Match
# names another version.
VersionCheck = Callable[[UUID, int], None]


@dataclass(frozen=True)
class DecideCase:
    result: Result
    reason_code: str
    rationale: str


@dataclass(frozen=True)
class ConfirmDecision:
    outcome: Outcome
    rationale: str


async def _locked_case(
    uow: VettingUnitOfWork, case_id: UUID, check: VersionCheck | None
) -> VettingCase:
    case = await uow.cases.get(case_id, lock=True)
    if case is None:
        raise CaseNotFound(f"No vetting case {case_id}.")
    if check is not None:
        check(case.id, case.version)
    return case


async def decide_case(
    uow: VettingUnitOfWork,
    case_id: UUID,
    command: DecideCase,
    policy: DecisionPolicy,
    now: Moment,
    check: VersionCheck | None = None,
) -> tuple[VettingCase, Decision]:
    """A vetter decides: approved, suspended (not cleared; may be re-decided), denied, cancelled.

    Open cases take any result, suspended ones approved/denied/cancelled; approved, denied and
    cancelled cases take none. A rationale and a fitting reason code are mandatory. No member
    of a unit on the derogatory registry can be approved. Under the two-person rule a denial,
    or an approval of a case flagged as a possible duplicate, waits for a second vetter's
    confirmation and nothing is published until then. Every decision is appended to the
    case's history and audited.
    """
    case = await _locked_case(uow, case_id, check)
    blocking = await uow.registry.blocking(
        unit_id=case.unit_id, country=case.country, unit_name=case.unit_name
    )
    before = case_snapshot(case)
    decision = case.decide(
        result=command.result,
        reason_code=command.reason_code,
        rationale=command.rationale,
        by=uow.actor.subject,
        when=now,
        policy=policy,
        blocking_entry_id=blocking,
    )
    await uow.cases.save(case, now.at)
    uow.audit(
        "case.decided",
        "vetting_case",
        str(case.id),
        before=before,
        after=case_snapshot(case) | decision_snapshot(decision),
    )
    await uow.commit()
    log.info(
        "vetting.decided",
        case_id=str(case.id),
        result=decision.result.value,
        pending=decision.requires_confirmation,
    )
    return case, decision


async def confirm_decision(
    uow: VettingUnitOfWork,
    case_id: UUID,
    decision_id: UUID,
    command: ConfirmDecision,
    policy: DecisionPolicy,
    now: Moment,
    check: VersionCheck | None = None,
) -> tuple[VettingCase, Decision]:
    """Two-person rule: a second vetter confirms a pending decision, or rejects it.

    Only the decision waiting for confirmation can be confirmed, and never by the vetter who
    filed it. Confirmed, it takes effect and is published (an approval is valid from the day of
    the confirmation); rejected, the case returns to where it was and nothing is published.
    """
    case = await _locked_case(uow, case_id, check)
    blocking = await uow.registry.blocking(
        unit_id=case.unit_id, country=case.country, unit_name=case.unit_name
    )
    before = case_snapshot(case)
    decision = case.confirm(
        decision_id,
        outcome=command.outcome,
        rationale=command.rationale,
        by=uow.actor.subject,
        when=now,
        policy=policy,
        blocking_entry_id=blocking,
    )
    await uow.cases.save(case, now.at)
    uow.audit(
        f"decision.{command.outcome.value}",
        "vetting_case",
        str(case.id),
        before=before,
        after=case_snapshot(case) | decision_snapshot(decision),
    )
    await uow.commit()
    log.info("vetting.confirmation", case_id=str(case.id), outcome=command.outcome.value)
    return case, decision
