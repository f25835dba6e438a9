"""Use cases driven by the pipeline: open a case, cancel it, re-open it when an approval lapses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.observability import get_logger
from vetting.adapters import publishing
from vetting.domain.case import Clock, VettingCase
from vetting.domain.checks import automatic_decision, possible_duplicate
from vetting.domain.decision import DecisionPolicy
from vetting.domain.registry import unit_key
from vetting.domain.validity import lapses_on, needs_revetting, reusable_approval
from vetting.service_layer.audit import case_snapshot, decision_snapshot
from vetting.service_layer.unit_of_work import VettingUnitOfWork
from vetting.service_layer.units import link_for

log = get_logger("vetting.cases")


@dataclass(frozen=True)
class OpenCase:
    nomination_id: UUID
    candidate_id: UUID
    person_fingerprint: str
    country: str
    unit_name: str
    class_id: UUID
    report_date: date
    vetted_revision: int = 0
    unit_id: UUID | None = None


async def open_case(
    uow: VettingUnitOfWork, command: OpenCase, policy: DecisionPolicy, when: Clock
) -> VettingCase | None:
    """Open the vetting case of a submitted nomination and run the automatic checks.

    One case per nomination, whatever the redelivery (unique `nomination_id`); nothing for a
    nomination already withdrawn or cancelled (its submission arrived late). The unit is
    checked against the registry first, then a still-valid approval of the same person is
    reused; a fingerprint shared with another candidate flags a possible duplicate.
    """
    if await uow.cases.is_nomination_closed(command.nomination_id):
        log.info("vetting.submission_after_close_ignored", nomination_id=str(command.nomination_id))
        return None
    if await uow.cases.get_by_nomination(command.nomination_id) is not None:
        return None
    matches = []
    if command.person_fingerprint.strip():
        matches = await uow.cases.fingerprint_matches(
            command.person_fingerprint, other_than=command.candidate_id
        )
    duplicate_of = possible_duplicate(
        matches, candidate_id=command.candidate_id, person_fingerprint=command.person_fingerprint
    )
    link = await link_for(
        uow, country=command.country, unit_name=command.unit_name, unit_id=command.unit_id
    )
    case = VettingCase.open(
        nomination_id=command.nomination_id,
        candidate_id=command.candidate_id,
        person_fingerprint=command.person_fingerprint,
        country=command.country,
        unit_name=command.unit_name,
        class_id=command.class_id,
        report_date=command.report_date,
        when=when,
        policy=policy,
        possible_duplicate_of=duplicate_of,
        vetted_revision=command.vetted_revision,
        link=link,
    )
    blocking = await uow.registry.blocking(
        unit_id=case.unit_id, country=case.country, unit_name=case.unit_name
    )
    reusable = reusable_approval(
        await uow.cases.valid_approvals(case.candidate_id, when.on),
        candidate_id=case.candidate_id,
        unit_key=unit_key(case.unit_name),
        country=case.country,
        on=when.on,
        vetted_revision=case.vetted_revision,
    )
    decision = automatic_decision(
        case,
        blocking_entry_id=blocking,
        reusable=reusable,
        policy=policy,
        by=uow.actor.subject,
        when=when,
    )
    if decision is not None:
        case.record_automatic(decision)
    if not await uow.cases.add(case, when.at):
        return None
    uow.publish(publishing.case_opened(case))
    uow.audit(
        "case.opened",
        "vetting_case",
        str(case.id),
        after=case_snapshot(case)
        | {
            "nomination_id": str(case.nomination_id),
            "flagged_possible_duplicate": case.flagged_possible_duplicate,
            "unit_id": str(case.unit_id) if case.unit_id else None,
            "unit_match": case.unit_match.value,
        },
    )
    if decision is not None:
        uow.audit("case.decided", "vetting_case", str(case.id), after=decision_snapshot(decision))
        if not decision.requires_confirmation:
            uow.publish(publishing.result_event(case, decision))
    await uow.commit()
    log.info(
        "vetting.case_opened",
        case_id=str(case.id),
        status=case.status.value,
        flagged=case.flagged_possible_duplicate,
    )
    return case


async def cancel_case_for_nomination(
    uow: VettingUnitOfWork, nomination_id: UUID, *, reason_code: str, closed_as: str, when: Clock
) -> VettingCase | None:
    """The nomination was withdrawn or cancelled: cancel its case if it is still undecided.

    An approved, denied or cancelled case stays as it is. The nomination is remembered as
    closed, so a submission that arrives after the withdrawal opens nothing and the expiry job
    leaves its approval alone.
    """
    await uow.cases.close_nomination(nomination_id, closed_as, when.at)
    case = await uow.cases.get_by_nomination(nomination_id, lock=True)
    if case is None:
        await uow.commit()
        return None
    before = case_snapshot(case)
    decision = case.cancel_for_nomination(reason_code=reason_code, by=uow.actor.subject, when=when)
    if decision is not None:
        await uow.cases.save(case, when.at)
        uow.audit(
            "case.cancelled",
            "vetting_case",
            str(case.id),
            before=before,
            after=case_snapshot(case) | decision_snapshot(decision),
        )
        uow.publish(publishing.result_event(case, decision))
    await uow.commit()
    return case


async def reopen_lapsing_approvals(
    uow: VettingUnitOfWork, policy: DecisionPolicy, *, lead_days: int, batch_size: int, when: Clock
) -> int:
    """Re-open approved cases whose approval lapses before the class report date.

    A case is re-opened once the lapse is at most `lead_days` away: a new vetting cycle starts
    today with a new due date, and `vetting.expired` tells the pipeline. Returns how many.
    """
    reopened = 0
    for case_id in await uow.cases.lapsing_approval_ids(when.on, lead_days, batch_size):
        case = await uow.cases.get(case_id)
        valid_until = case.valid_until if case else None
        if case is None or valid_until is None:
            continue
        if not needs_revetting(
            valid_until=valid_until,
            report_date=case.report_date,
            today=when.on,
            lead_days=lead_days,
        ):
            continue
        before = case_snapshot(case)
        decision = case.reopen_for_lapse(by=uow.actor.subject, when=when, policy=policy)
        await uow.cases.save(case, when.at)
        uow.audit(
            "case.reopened",
            "vetting_case",
            str(case.id),
            before=before,
            after=case_snapshot(case) | decision_snapshot(decision),
        )
        uow.publish(publishing.expired(case, lapses_on(valid_until)))
        reopened += 1
    await uow.commit()
    return reopened
