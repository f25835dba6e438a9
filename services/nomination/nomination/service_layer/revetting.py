"""A vetted fact of a candidate changed: vetting starts again for every active nomination.

Vetting decided on the person's names, birth, unit, service and rank. When one of them changes
the earlier decision is about someone else's facts: in the same transaction as the change each
active nomination of the person goes back to vetting (seat and funds stay held), its history
says why, its travel order is recalled (`apply_outcome` reviews it), and
`nomination.candidate_changed` asks vetting to re-open the case. The candidate's
`vetted_revision` grows, so an approval about the older facts that is still on its way no
longer counts (`reactions.vetting`).
"""

from __future__ import annotations

from uuid import UUID

from nomination.domain import events
from nomination.domain.candidate import Candidate
from nomination.domain.machine import Fact
from nomination.domain.states import ACTIVE
from nomination.service_layer.changes import add_history, apply_outcome
from nomination.service_layer.screening import review_travel_order
from nomination.service_layer.unit_of_work import NominationUnitOfWork


async def reopen_for_candidate(
    uow: NominationUnitOfWork, candidate: Candidate, fields: list[str]
) -> list[UUID]:
    """Send every active nomination of `candidate` back to vetting; the nomination ids."""
    ids = await uow.nominations.ids_of_candidate(candidate.id, ACTIVE)
    now = uow.clock()
    for nomination_id in ids:
        row = await uow.nominations.get(nomination_id, for_update=True)
        if row is None:
            continue
        await add_history(
            uow, row, "fact", reason="candidate_changed",
            detail={"fields": fields, "vetted_revision": candidate.vetted_revision},
        )  # fmt: skip
        recorded = row.record(Fact.VETTING_REOPENED)
        if recorded is not None:
            row = await apply_outcome(
                uow, row, row.settle(recorded), reason="candidate_changed",
                action="nomination.candidate_changed",
            )  # fmt: skip
        uow.emit(events.CandidateChanged(row, candidate, fields, now))
    return ids


async def review_candidate_orders(uow: NominationUnitOfWork, candidate: Candidate) -> None:
    """Facts the gate reads changed without touching vetting (English results): re-judge the
    travel orders of the candidate's active nominations."""
    for nomination_id in await uow.nominations.ids_of_candidate(candidate.id, ACTIVE):
        row = await uow.nominations.get(nomination_id, for_update=True)
        if row is not None:
            await review_travel_order(uow, row)
