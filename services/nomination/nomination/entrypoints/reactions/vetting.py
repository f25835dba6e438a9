"""Reactions to vetting events: the vetting case's facts.

Vetting may decide at once (a still-valid prior approval is reused) so `approved` can arrive
before `case_opened`, and before the catalog's seat news: the fact is recorded and funding is
requested only when a seat is held too.
"""

from __future__ import annotations

from nomination.domain.machine import Fact
from nomination.domain.states import CANCELLABLE, State
from nomination.service_layer.process import approval_is_stale, cancel_each, record_fact
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.contracts.envelope import Envelope
from shared.contracts.vetting.v1 import (
    ApprovalSuspendedV1,
    CaseOpenedV1,
    CaseReopenedV1,
    UnitRegisteredV1,
    VettingApprovedV1,
    VettingCancelledV1,
    VettingDeniedV1,
    VettingExpiredV1,
    VettingSuspendedV1,
)


async def when_case_opened_record_it(
    event: CaseOpenedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await record_fact(
        uow, event.nomination_id, Fact.CASE_OPENED, values={"vetting_case_id": event.case_id},
        detail={"case_id": str(event.case_id), "due_on": event.due_on.isoformat()},
    )  # fmt: skip


async def when_vetting_approved_request_funding_when_seated(
    event: VettingApprovedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """Approved: funding is requested once a seat is held and nothing is obligated (ADR 0004).
    An approval about an older revision of the candidate's vetted facts (they changed since)
    no longer counts: it is noted in the history and changes nothing."""
    if await approval_is_stale(uow, event.nomination_id, event.case_id, event.vetted_revision):
        return
    await record_fact(
        uow, event.nomination_id, Fact.VETTING_APPROVED, reason=event.reason_code,
        values={"vetting_case_id": event.case_id, "vetting_valid_until": event.valid_until},
        detail={
            "case_id": str(event.case_id),
            "valid_until": event.valid_until.isoformat(),
            "automatic": event.automatic,
        },
    )  # fmt: skip


async def when_case_reopened_revet(
    event: CaseReopenedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """Vetting started a new cycle (the vetted facts changed): back to vetting; seat and funds
    stay, a travel order is recalled."""
    await record_fact(
        uow, event.nomination_id, Fact.VETTING_REOPENED, reason=event.reason_code,
        values={"vetting_case_id": event.case_id},
        detail={"case_id": str(event.case_id), "due_on": event.due_on.isoformat(),
                "changed_fields": event.changed_fields},
    )  # fmt: skip


async def when_approval_suspended_record_it(
    event: ApprovalSuspendedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """A registry review suspended the approval (the unit was listed): not cleared any more -
    `vetting_suspended` with reason `unit_listed`; seat and funds stay; the order is recalled."""
    await record_fact(
        uow, event.nomination_id, Fact.VETTING_SUSPENDED, reason=event.reason_code,
        detail={"case_id": str(event.case_id), "registry_entry_id": str(event.registry_entry_id)},
    )  # fmt: skip


async def when_unit_registered_keep_read_model(
    event: UnitRegisteredV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await uow.reference.upsert_unit(event)


async def when_vetting_suspended_record_it(
    event: VettingSuspendedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await record_fact(
        uow, event.nomination_id, Fact.VETTING_SUSPENDED, reason=event.reason_code,
        detail={"case_id": str(event.case_id)},
    )  # fmt: skip


async def when_vetting_denied_end_nomination(
    event: VettingDeniedV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    await record_fact(
        uow, event.nomination_id, Fact.VETTING_DENIED, reason=event.reason_code,
        detail={"case_id": str(event.case_id)},
    )  # fmt: skip


async def when_vetting_expired_revet(
    event: VettingExpiredV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """The approval lapses before the report date: back to vetting; seat and funds stay."""
    await record_fact(
        uow, event.nomination_id, Fact.VETTING_EXPIRED, reason="approval_lapsed",
        values={"vetting_valid_until": event.lapsed_on},
        detail={"lapsed_on": event.lapsed_on.isoformat()},
    )  # fmt: skip


async def when_vetting_cancelled_record_or_cancel(
    event: VettingCancelledV1, envelope: Envelope, uow: NominationUnitOfWork
) -> None:
    """A cancelled case confirms a compensation, or (cancelled by vetting itself) ends it."""
    row = await record_fact(
        uow, event.nomination_id, Fact.VETTING_CANCELLED, reason=event.reason_code,
        detail={"case_id": str(event.case_id)},
    )  # fmt: skip
    if row is not None and State(row.status) in CANCELLABLE:
        await cancel_each(
            uow, [row.id], "administrative", "us_government", detail="vetting_case_cancelled"
        )
