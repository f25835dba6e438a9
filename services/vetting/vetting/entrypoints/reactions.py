"""How vetting reacts to the nomination service's events (ADR 0004, steps 2b and comp).

Each `when_<event>_<action>` translates a contract into a command; `shared/contracts/flow.py`
declares which event each one handles, and the bootstrap binds them with `reactions_of`,
injecting the keyword-only `policy` (from the settings) and `clock` (the bootstrap's).

Called by the platform consumer inside its transaction (inbox row and offset staged), so a
redelivered event id is dropped before it gets here; a different event with the same meaning
is a no-op through the case's own guards (one case per nomination; only an undecided case is
cancelled). Out-of-order arrival: a withdrawal that comes before the submission is remembered,
and the late submission then opens nothing.
"""

from __future__ import annotations

from shared.contracts.envelope import Envelope
from shared.contracts.nomination.v1 import (
    CandidateChangedV1,
    NominationCancelledV1,
    NominationSubmittedV1,
    NominationWithdrawnV1,
)
from vetting.domain.decision import DecisionPolicy
from vetting.domain.moment import Clock
from vetting.service_layer.cases import OpenCase, cancel_case_for_nomination, open_case
from vetting.service_layer.reopening import CandidateChange, reopen_for_change
from vetting.service_layer.unit_of_work import VettingUnitOfWork


async def when_nomination_submitted_open_case(
    event: NominationSubmittedV1,
    envelope: Envelope,
    uow: VettingUnitOfWork,
    *,
    policy: DecisionPolicy,
    clock: Clock,
) -> None:
    command = OpenCase(
        nomination_id=event.nomination_id,
        candidate_id=event.candidate_id,
        person_fingerprint=event.person_fingerprint,
        country=event.country,
        unit_name=event.unit_name,
        class_id=event.class_id,
        report_date=event.report_date,
        vetted_revision=event.vetted_revision or 0,
        unit_id=event.unit_id,
    )
    await open_case(uow, command, policy, clock())


async def when_candidate_changed_reopen_case(
    event: CandidateChangedV1,
    envelope: Envelope,
    uow: VettingUnitOfWork,
    *,
    policy: DecisionPolicy,
    clock: Clock,
) -> None:
    change = CandidateChange(
        nomination_id=event.nomination_id,
        candidate_id=event.candidate_id,
        person_fingerprint=event.person_fingerprint,
        unit_name=event.unit_name,
        changed_fields=list(event.changed_fields),
        vetted_revision=event.vetted_revision,
        unit_id=event.unit_id,
    )
    await reopen_for_change(uow, change, policy, clock())


async def when_nomination_withdrawn_cancel_case(
    event: NominationWithdrawnV1, envelope: Envelope, uow: VettingUnitOfWork, *, clock: Clock
) -> None:
    await cancel_case_for_nomination(
        uow,
        event.nomination_id,
        reason_code="nomination_withdrawn",
        closed_as="withdrawn",
        now=clock(),
    )


async def when_nomination_cancelled_cancel_case(
    event: NominationCancelledV1, envelope: Envelope, uow: VettingUnitOfWork, *, clock: Clock
) -> None:
    await cancel_case_for_nomination(
        uow,
        event.nomination_id,
        reason_code="administrative",
        closed_as="cancelled",
        now=clock(),
    )
