"""Every event the process manager reacts to (ADR 0004), bound from `shared/contracts/flow.py`.

A reaction is an entrypoint (a message is a request): it translates the contract into a call of
the process manager (`service_layer.process`). The handlers live by source service
(`catalog`, `vetting`, `funding`) and are re-exported here, where `flow.reactions_of` finds them.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from nomination.domain.rules import Rules
from nomination.entrypoints.reactions.catalog import (
    when_class_cancelled_cancel_nominations,
    when_class_scheduled_keep_read_model,
    when_course_published_keep_read_model,
    when_seat_confirmed_record_it,
    when_seat_held_record_it,
    when_seat_released_record_or_cancel,
    when_seat_waitlisted_record_it,
)
from nomination.entrypoints.reactions.funding import (
    when_deobligated_record_it,
    when_obligation_recorded_record_it,
    when_obligation_rejected_wait_for_retry,
    when_penalty_charged_record_it,
)
from nomination.entrypoints.reactions.vetting import (
    when_approval_suspended_record_it,
    when_case_opened_record_it,
    when_case_reopened_revet,
    when_unit_registered_keep_read_model,
    when_vetting_approved_request_funding_when_seated,
    when_vetting_cancelled_record_or_cancel,
    when_vetting_denied_end_nomination,
    when_vetting_expired_revet,
    when_vetting_suspended_record_it,
)
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.contracts import flow
from shared.contracts.envelope import IntegrationEvent
from shared.runtime import Reaction

__all__ = [
    "reactions",
    "when_approval_suspended_record_it",
    "when_case_opened_record_it",
    "when_case_reopened_revet",
    "when_class_cancelled_cancel_nominations",
    "when_class_scheduled_keep_read_model",
    "when_course_published_keep_read_model",
    "when_deobligated_record_it",
    "when_obligation_recorded_record_it",
    "when_obligation_rejected_wait_for_retry",
    "when_penalty_charged_record_it",
    "when_seat_confirmed_record_it",
    "when_seat_held_record_it",
    "when_seat_released_record_or_cancel",
    "when_seat_waitlisted_record_it",
    "when_unit_registered_keep_read_model",
    "when_vetting_approved_request_funding_when_seated",
    "when_vetting_cancelled_record_or_cancel",
    "when_vetting_denied_end_nomination",
    "when_vetting_expired_revet",
    "when_vetting_suspended_record_it",
]


def _with_rules(handler: Reaction, rules: Rules) -> Reaction:
    async def react(event: Any, envelope: Any, uow: NominationUnitOfWork) -> None:
        uow.rules = rules
        await handler(event, envelope, uow)

    react.__name__ = getattr(handler, "__name__", "reaction")
    react.__doc__ = handler.__doc__
    return react


def reactions(rules: Rules) -> Mapping[type[IntegrationEvent], Reaction]:
    """The declared reactions, each judging travel orders with the service's rule settings."""
    bound = flow.reactions_of("nomination", sys.modules[__name__])
    return {event: _with_rules(handler, rules) for event, handler in bound.items()}
