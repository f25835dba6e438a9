"""How the catalog reacts to the pipeline's events (ADR 0004).

Each reaction runs inside the platform consumer's transaction (inbox row and offset already
staged) and never fails for a business reason: a refusal is an event. Idempotent twice over:
the inbox drops a redelivered event, and the seat's own state makes a different event with the
same meaning a no-op (a second submission finds the seat, a second release finds it released).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from catalog.domain.events import ReleaseReason
from catalog.domain.seats import HoldPolicy
from catalog.service_layer.seating import confirm_seat, release_seat, request_seat
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from catalog.settings import CatalogSettings
from shared.contracts.envelope import Envelope, IntegrationEvent
from shared.contracts.funding.v1 import ObligationRecordedV1
from shared.contracts.nomination.v1 import (
    NominationCancelledV1,
    NominationSubmittedV1,
    NominationWithdrawnV1,
)
from shared.contracts.vetting.v1 import VettingDeniedV1

Reaction = Callable[[Any, Envelope, Any], Awaitable[None]]


def hold_policy(settings: CatalogSettings) -> HoldPolicy:
    return HoldPolicy(lead_days=settings.hold_lead_days, min_hours=settings.min_hold_hours)


def _now() -> datetime:
    return datetime.now(UTC)


def build_reactions(settings: CatalogSettings) -> Mapping[type[IntegrationEvent], Reaction]:
    policy = hold_policy(settings)

    async def when_nomination_submitted_hold_seat(
        event: NominationSubmittedV1, envelope: Envelope, uow: CatalogUnitOfWork
    ) -> None:
        await request_seat(
            uow,
            class_id=event.class_id,
            masl_id=event.masl_id,
            nomination_id=event.nomination_id,
            country=event.country,
            policy=policy,
            now=_now(),
        )

    async def when_obligation_recorded_confirm_seat(
        event: ObligationRecordedV1, envelope: Envelope, uow: CatalogUnitOfWork
    ) -> None:
        await confirm_seat(
            uow,
            class_id=event.class_id,
            nomination_id=event.nomination_id,
            policy=policy,
            now=_now(),
        )

    async def when_nomination_withdrawn_release_seat(
        event: NominationWithdrawnV1, envelope: Envelope, uow: CatalogUnitOfWork
    ) -> None:
        await release_seat(
            uow,
            nomination_id=event.nomination_id,
            reason=ReleaseReason.WITHDRAWN,
            policy=policy,
            now=_now(),
        )

    async def when_nomination_cancelled_release_seat(
        event: NominationCancelledV1, envelope: Envelope, uow: CatalogUnitOfWork
    ) -> None:
        await release_seat(
            uow,
            nomination_id=event.nomination_id,
            reason=ReleaseReason.CANCELLED,
            policy=policy,
            now=_now(),
        )

    async def when_vetting_denied_release_seat(
        event: VettingDeniedV1, envelope: Envelope, uow: CatalogUnitOfWork
    ) -> None:
        await release_seat(
            uow,
            nomination_id=event.nomination_id,
            reason=ReleaseReason.VETTING_DENIED,
            policy=policy,
            now=_now(),
        )

    return {
        NominationSubmittedV1: when_nomination_submitted_hold_seat,
        ObligationRecordedV1: when_obligation_recorded_confirm_seat,
        NominationWithdrawnV1: when_nomination_withdrawn_release_seat,
        NominationCancelledV1: when_nomination_cancelled_release_seat,
        VettingDeniedV1: when_vetting_denied_release_seat,
    }


def reactions() -> Mapping[type[IntegrationEvent], Reaction]:
    """The reactions of a catalog consumer process, with the settings it started with."""
    return build_reactions(CatalogSettings())
