"""How the catalog reacts to the pipeline's events (ADR 0004): contract -> seat command.

Bound by `catalog.bootstrap` through the declared flow (`shared/contracts/flow.py`), which
injects the keyword-only `hold_policy` (from the settings) and `clock`. Each reaction runs
inside the platform consumer's transaction (inbox row and offset already staged) and never
fails for a business reason: a refusal is an event. Idempotent twice over: the inbox drops a
redelivered event, and the seat's own state makes a different event with the same meaning a
no-op (a second submission finds the seat, a second release finds it released).
"""

from __future__ import annotations

from catalog.domain.events import ReleaseReason
from catalog.domain.seats import HoldPolicy
from catalog.entrypoints.clock import Clock
from catalog.service_layer.seating import confirm_seat, release_seat, request_seat
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from shared.contracts.envelope import Envelope
from shared.contracts.funding.v1 import ObligationRecordedV1
from shared.contracts.nomination.v1 import (
    NominationCancelledV1,
    NominationSubmittedV1,
    NominationWithdrawnV1,
)
from shared.contracts.vetting.v1 import VettingDeniedV1


async def when_nomination_submitted_hold_seat(
    event: NominationSubmittedV1,
    envelope: Envelope,
    uow: CatalogUnitOfWork,
    *,
    hold_policy: HoldPolicy,
    clock: Clock,
) -> None:
    """A submitted nomination asks its class for a seat: a hold, or a waitlist place."""
    await request_seat(
        uow,
        class_id=event.class_id,
        masl_id=event.masl_id,
        nomination_id=event.nomination_id,
        country=event.country,
        policy=hold_policy,
        now=clock(),
    )


async def when_obligation_recorded_confirm_seat(
    event: ObligationRecordedV1,
    envelope: Envelope,
    uow: CatalogUnitOfWork,
    *,
    hold_policy: HoldPolicy,
    clock: Clock,
) -> None:
    """Funds obligated for the nomination: its live hold becomes a confirmed seat."""
    await confirm_seat(
        uow,
        class_id=event.class_id,
        nomination_id=event.nomination_id,
        policy=hold_policy,
        now=clock(),
    )


async def when_nomination_withdrawn_release_seat(
    event: NominationWithdrawnV1,
    envelope: Envelope,
    uow: CatalogUnitOfWork,
    *,
    hold_policy: HoldPolicy,
    clock: Clock,
) -> None:
    """A withdrawn nomination gives up its seat or waitlist place (`withdrawn`)."""
    await release_seat(
        uow,
        nomination_id=event.nomination_id,
        reason=ReleaseReason.WITHDRAWN,
        policy=hold_policy,
        now=clock(),
    )


async def when_nomination_cancelled_release_seat(
    event: NominationCancelledV1,
    envelope: Envelope,
    uow: CatalogUnitOfWork,
    *,
    hold_policy: HoldPolicy,
    clock: Clock,
) -> None:
    """A cancelled nomination gives up its seat or waitlist place (`cancelled`)."""
    await release_seat(
        uow,
        nomination_id=event.nomination_id,
        reason=ReleaseReason.CANCELLED,
        policy=hold_policy,
        now=clock(),
    )


async def when_vetting_denied_release_seat(
    event: VettingDeniedV1,
    envelope: Envelope,
    uow: CatalogUnitOfWork,
    *,
    hold_policy: HoldPolicy,
    clock: Clock,
) -> None:
    """A nomination denied by vetting gives up its seat or waitlist place (`vetting_denied`)."""
    await release_seat(
        uow,
        nomination_id=event.nomination_id,
        reason=ReleaseReason.VETTING_DENIED,
        policy=hold_policy,
        now=clock(),
    )
