"""Re-vetting: a case is decided again when the candidate's vetted facts change, or when its
approval lapses before the class report date."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.observability import get_logger
from vetting.domain.case import VettingCase
from vetting.domain.case_cycles import VettedFacts
from vetting.domain.checks import automatic_decision, possible_duplicate
from vetting.domain.decision import DecisionPolicy
from vetting.domain.moment import Moment
from vetting.domain.validity import needs_revetting
from vetting.service_layer.audit import case_snapshot, decision_snapshot
from vetting.service_layer.unit_of_work import VettingUnitOfWork
from vetting.service_layer.units import link_for

log = get_logger("vetting.reopening")


@dataclass(frozen=True)
class CandidateChange:
    nomination_id: UUID
    candidate_id: UUID
    person_fingerprint: str
    unit_name: str
    changed_fields: list[str]
    vetted_revision: int
    unit_id: UUID | None = None


async def reopen_for_change(
    uow: VettingUnitOfWork, change: CandidateChange, policy: DecisionPolicy, now: Moment
) -> VettingCase | None:
    """The candidate's vetted facts changed: the case is decided again from the start.

    `nomination.candidate_changed` names which vetted fields changed (never their values) and
    carries the new identity fingerprint and unit, as `nomination.submitted` does (ADR 0020).
    The case takes them, starts a new cycle (`case_reopened`, new due date) unless it was
    denied or cancelled, and runs the automatic checks again: a unit on the registry blocks at
    once, a fingerprint shared with another candidate flags a possible duplicate. A vetter
    reads the person's new details from the nomination API, as for any case. Redelivered or
    older changes (revision not newer than the case's) change nothing.
    """
    case = await uow.cases.get_by_nomination(change.nomination_id, lock=True)
    if case is None or change.vetted_revision <= case.vetted_revision:
        log.info("vetting.change_ignored", nomination_id=str(change.nomination_id))
        return case
    before = case_snapshot(case) | {"vetted_revision": case.vetted_revision}
    matches = []
    if change.person_fingerprint.strip():
        matches = await uow.cases.fingerprint_matches(
            change.person_fingerprint, other_than=change.candidate_id
        )
    facts = VettedFacts(
        person_fingerprint=change.person_fingerprint,
        unit_name=change.unit_name,
        link=await link_for(
            uow, country=case.country, unit_name=change.unit_name, unit_id=change.unit_id
        ),
        vetted_revision=change.vetted_revision,
        possible_duplicate_of=possible_duplicate(
            matches, candidate_id=change.candidate_id, person_fingerprint=change.person_fingerprint
        ),
    )
    reopened = case.reopen_for_change(
        facts, fields=change.changed_fields, by=uow.actor.subject, when=now, policy=policy
    )
    automatic = None
    if reopened is not None:
        automatic = automatic_decision(
            case,
            blocking_entry_id=await uow.registry.blocking(
                unit_id=case.unit_id, country=case.country, unit_name=case.unit_name
            ),
            reusable=None,
            policy=policy,
            by=uow.actor.subject,
            when=now,
        )
        if automatic is not None:
            case.record_automatic(automatic)
    await uow.cases.save(case, now.at)
    uow.audit(
        "case.reopened" if reopened else "case.facts_changed", "vetting_case", str(case.id),
        before=before,
        after=case_snapshot(case) | {"vetted_revision": case.vetted_revision,
                                     "changed_fields": change.changed_fields},
    )  # fmt: skip
    if automatic is not None:
        uow.audit("case.decided", "vetting_case", str(case.id), after=decision_snapshot(automatic))
    await uow.commit()
    log.info("vetting.case_reopened", case_id=str(case.id), status=case.status.value)
    return case


async def reopen_lapsing_approvals(
    uow: VettingUnitOfWork, policy: DecisionPolicy, *, lead_days: int, batch_size: int, now: Moment
) -> int:
    """Re-open approved cases whose approval lapses before the class report date.

    A case is re-opened once the lapse is at most `lead_days` away: a new vetting cycle starts
    today with a new due date, and `vetting.expired` tells the pipeline. Approvals of withdrawn
    or cancelled nominations are left alone. Returns how many were re-opened.
    """
    reopened = 0
    for case_id in await uow.cases.lapsing_approval_ids(now.on, lead_days, batch_size):
        case = await uow.cases.get(case_id)
        valid_until = case.valid_until if case else None
        if case is None or valid_until is None:
            continue
        if not needs_revetting(
            valid_until=valid_until, report_date=case.report_date, today=now.on,
            lead_days=lead_days,
        ):  # fmt: skip
            continue
        before = case_snapshot(case)
        decision = case.reopen_for_lapse(by=uow.actor.subject, when=now, policy=policy)
        await uow.cases.save(case, now.at)
        uow.audit(
            "case.reopened",
            "vetting_case",
            str(case.id),
            before=before,
            after=case_snapshot(case) | decision_snapshot(decision),
        )
        reopened += 1
    await uow.commit()
    return reopened
