"""Every event the process manager reacts to, by source service (ADR 0004)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nomination.domain.rules import Rules
from nomination.service_layer.reactions import catalog, funding, vetting
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.contracts.catalog import v1 as catalog_v1
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.funding import v1 as funding_v1
from shared.contracts.vetting import v1 as vetting_v1
from shared.runtime import Reaction


def _handlers() -> Mapping[type[IntegrationEvent], Reaction]:
    return {
        catalog_v1.CoursePublishedV1: catalog.when_course_published_keep_read_model,
        catalog_v1.CourseChangedV1: catalog.when_course_published_keep_read_model,
        catalog_v1.ClassScheduledV1: catalog.when_class_scheduled_keep_read_model,
        catalog_v1.ClassChangedV1: catalog.when_class_scheduled_keep_read_model,
        catalog_v1.ClassCancelledV1: catalog.when_class_cancelled_cancel_nominations,
        catalog_v1.SeatHeldV1: catalog.when_seat_held_record_it,
        catalog_v1.SeatWaitlistedV1: catalog.when_seat_waitlisted_record_it,
        catalog_v1.SeatConfirmedV1: catalog.when_seat_confirmed_record_it,
        catalog_v1.SeatReleasedV1: catalog.when_seat_released_record_or_cancel,
        vetting_v1.CaseOpenedV1: vetting.when_case_opened_record_it,
        vetting_v1.VettingApprovedV1: vetting.when_vetting_approved_request_funding_when_seated,
        vetting_v1.VettingSuspendedV1: vetting.when_vetting_suspended_record_it,
        vetting_v1.VettingDeniedV1: vetting.when_vetting_denied_end_nomination,
        vetting_v1.VettingCancelledV1: vetting.when_vetting_cancelled_record_or_cancel,
        vetting_v1.VettingExpiredV1: vetting.when_vetting_expired_revet,
        vetting_v1.CaseReopenedV1: vetting.when_case_reopened_revet,
        vetting_v1.ApprovalSuspendedV1: vetting.when_approval_suspended_record_it,
        vetting_v1.UnitRegisteredV1: vetting.when_unit_registered_keep_read_model,
        funding_v1.ObligationRecordedV1: funding.when_obligation_recorded_record_it,
        funding_v1.ObligationRejectedV1: funding.when_obligation_rejected_wait_for_retry,
        funding_v1.DeobligatedV1: funding.when_deobligated_record_it,
        funding_v1.PenaltyChargedV1: funding.when_penalty_charged_record_it,
    }


def _with_rules(handler: Reaction, rules: Rules) -> Reaction:
    async def react(event: Any, envelope: Any, uow: NominationUnitOfWork) -> None:
        uow.rules = rules
        await handler(event, envelope, uow)

    react.__name__ = getattr(handler, "__name__", "reaction")
    react.__doc__ = handler.__doc__
    return react


def reactions(rules: Rules) -> Mapping[type[IntegrationEvent], Reaction]:
    """The reactions, each judging travel orders with the service's rule settings."""
    return {event: _with_rules(handler, rules) for event, handler in _handlers().items()}
