"""Use cases driven by the pipeline: open a case when a nomination is submitted, cancel it
when the nomination is withdrawn or cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.observability import get_logger
from vetting.domain.case import VettingCase
from vetting.domain.checks import automatic_decision, possible_duplicate
from vetting.domain.decision import DecisionPolicy
from vetting.domain.moment import Moment
from vetting.domain.registry import unit_key
from vetting.domain.validity import reusable_approval
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
    uow: VettingUnitOfWork, command: OpenCase, policy: DecisionPolicy, now: Moment
) -> VettingCase | None:
    """Open the vetting case of a submitted nomination and run the automatic checks.

    One case per nomination, whatever the redelivery (unique `nomination_id`); nothing for a
    nomination already withdrawn or cancelled (its submission arrived late). The unit is
    checked against the registry first, then a still-valid approval of the same person is
    reused; a fingerprint shared with another candidate flags a possible duplicate.
    """
    if await uow.nominations.is_closed(command.nomination_id):
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
        when=now,
        policy=policy,
        possible_duplicate_of=duplicate_of,
        vetted_revision=command.vetted_revision,
        link=link,
    )
    blocking = await uow.registry.blocking(
        unit_id=case.unit_id, country=case.country, unit_name=case.unit_name
    )
    reusable = reusable_approval(
        await uow.cases.valid_approvals(case.candidate_id, now.on),
        candidate_id=case.candidate_id,
        unit_key=unit_key(case.unit_name),
        country=case.country,
        on=now.on,
        vetted_revision=case.vetted_revision,
    )
    decision = automatic_decision(
        case,
        blocking_entry_id=blocking,
        reusable=reusable,
        policy=policy,
        by=uow.actor.subject,
        when=now,
    )
    if decision is not None:
        case.record_automatic(decision)
    if not await uow.cases.add(case, now.at):
        return None  # a concurrent delivery opened it first
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
    await uow.commit()
    log.info(
        "vetting.case_opened",
        case_id=str(case.id),
        status=case.status.value,
        flagged=case.flagged_possible_duplicate,
    )
    return case


async def cancel_case_for_nomination(
    uow: VettingUnitOfWork, nomination_id: UUID, *, reason_code: str, closed_as: str, now: Moment
) -> VettingCase | None:
    """The nomination was withdrawn or cancelled: cancel its case if it is still undecided.

    An approved, denied or cancelled case stays as it is. The nomination is remembered as
    closed, so a submission that arrives after the withdrawal opens nothing and the expiry job
    leaves its approval alone.
    """
    await uow.nominations.close(nomination_id, closed_as, now.at)
    case = await uow.cases.get_by_nomination(nomination_id, lock=True)
    if case is None:
        await uow.commit()
        return None
    before = case_snapshot(case)
    decision = case.cancel_for_nomination(reason_code=reason_code, by=uow.actor.subject, when=now)
    if decision is not None:
        await uow.cases.save(case, now.at)
        uow.audit(
            "case.cancelled",
            "vetting_case",
            str(case.id),
            before=before,
            after=case_snapshot(case) | decision_snapshot(decision),
        )
    await uow.commit()
    return case
