"""The candidate's vetted facts changed: the case is decided again from the start.

`nomination.candidate_changed` names which vetted fields changed (never their values) and
carries the new identity fingerprint and unit, as `nomination.submitted` does (ADR 0020). The
case takes them, starts a new cycle (`case_reopened`, new due date) unless it was denied or
cancelled, and runs the automatic checks again: a unit on the registry blocks at once, a
fingerprint shared with another candidate flags a possible duplicate. A vetter reads the
person's new details from the nomination API, as for any case. Redelivered or older changes
(revision not newer than the case's) change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shared.observability import get_logger
from vetting.adapters import publishing
from vetting.domain.case import Clock, VettingCase
from vetting.domain.checks import automatic_decision, possible_duplicate
from vetting.domain.decision import DecisionPolicy
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
    uow: VettingUnitOfWork, change: CandidateChange, policy: DecisionPolicy, when: Clock
) -> VettingCase | None:
    """Take the candidate's new facts and vet the case again (see the module docstring)."""
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
    duplicate_of = possible_duplicate(
        matches, candidate_id=change.candidate_id, person_fingerprint=change.person_fingerprint
    )
    link = await link_for(
        uow, country=case.country, unit_name=change.unit_name, unit_id=change.unit_id
    )
    case.person_fingerprint, case.unit_name = change.person_fingerprint, change.unit_name
    case.unit_id, case.unit_match = link.unit_id, link.match
    case.vetted_revision = change.vetted_revision
    case.flagged_possible_duplicate = duplicate_of is not None
    case.possible_duplicate_of = duplicate_of
    reopened = case.reopen_for_change(
        fields=change.changed_fields, by=uow.actor.subject, when=when, policy=policy
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
            when=when,
        )
        if automatic is not None:
            case.record_automatic(automatic)
    await uow.cases.save(case, when.at)
    uow.audit(
        "case.reopened" if reopened else "case.facts_changed", "vetting_case", str(case.id),
        before=before,
        after=case_snapshot(case) | {"vetted_revision": case.vetted_revision,
                                     "changed_fields": change.changed_fields},
    )  # fmt: skip
    if reopened is not None:
        uow.publish(publishing.reopened(case, change.changed_fields, when.on))
    if automatic is not None:
        uow.audit("case.decided", "vetting_case", str(case.id), after=decision_snapshot(automatic))
        if not automatic.requires_confirmation:
            uow.publish(publishing.result_event(case, automatic))
    await uow.commit()
    log.info("vetting.case_reopened", case_id=str(case.id), status=case.status.value)
    return case
