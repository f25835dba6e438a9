"""Domain event -> published contract (`shared.contracts.vetting.v1`): the only place one is
built. The unit of work stages them in the outbox when it commits (`stage`).

Only ids, the unit name, the country, dates and reason CODES leave the service: no personal
data, no free-text rationale, no registry details beyond the entry id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import assert_never, cast

from shared.contracts.envelope import IntegrationEvent
from shared.contracts.vetting import v1
from vetting.domain import events as domain


def contract(event: domain.DomainEvent) -> IntegrationEvent:
    match event:
        case domain.CaseOpened():
            return v1.CaseOpenedV1(
                case_id=event.case_id, nomination_id=event.nomination_id, country=event.country,
                candidate_id=event.candidate_id, unit_name=event.unit_name,
                opened_on=event.opened_on, due_on=event.due_on,
                flagged_possible_duplicate=event.flagged_possible_duplicate,
            )  # fmt: skip
        case domain.VettingApproved():
            return v1.VettingApprovedV1(
                case_id=event.case_id, nomination_id=event.nomination_id, country=event.country,
                candidate_id=event.candidate_id, valid_until=event.valid_until,
                decided_at=event.decided_at, automatic=event.automatic,
                reused_from_case_id=event.reused_from_case_id,
                reason_code=_reason(event.reason_code), vetted_revision=event.vetted_revision,
            )  # fmt: skip
        case domain.VettingSuspended():
            return v1.VettingSuspendedV1(
                case_id=event.case_id, nomination_id=event.nomination_id, country=event.country,
                decided_at=event.decided_at, reason_code=_reason(event.reason_code),
            )  # fmt: skip
        case domain.VettingDenied():
            return v1.VettingDeniedV1(
                case_id=event.case_id, nomination_id=event.nomination_id, country=event.country,
                decided_at=event.decided_at, reason_code=_reason(event.reason_code),
                registry_entry_id=event.registry_entry_id,
            )  # fmt: skip
        case domain.VettingCancelled():
            return v1.VettingCancelledV1(
                case_id=event.case_id, nomination_id=event.nomination_id, country=event.country,
                decided_at=event.decided_at, reason_code=_reason(event.reason_code),
            )  # fmt: skip
        case domain.CaseReopened():
            return v1.CaseReopenedV1(
                case_id=event.case_id, nomination_id=event.nomination_id, country=event.country,
                candidate_id=event.candidate_id, reason_code="candidate_changed",
                changed_fields=list(event.changed_fields), reopened_on=event.reopened_on,
                due_on=event.due_on, vetted_revision=event.vetted_revision,
            )  # fmt: skip
        case domain.ApprovalSuspended():
            return v1.ApprovalSuspendedV1(
                case_id=event.case_id, nomination_id=event.nomination_id, country=event.country,
                decided_at=event.decided_at, reason_code="unit_listed",
                registry_entry_id=event.registry_entry_id, unit_id=event.unit_id,
            )  # fmt: skip
        case domain.ApprovalLapsed():
            return v1.VettingExpiredV1(
                case_id=event.case_id, nomination_id=event.nomination_id, country=event.country,
                candidate_id=event.candidate_id, lapsed_on=event.lapsed_on,
                report_date=event.report_date,
            )  # fmt: skip
        case domain.UnitRegistered():
            return v1.UnitRegisteredV1(
                unit_id=event.unit_id, country=event.country, unit_name=event.unit_name,
                parent_unit_id=event.parent_unit_id, registered_at=event.registered_at,
            )  # fmt: skip
    assert_never(event)


def stage(
    publish: Callable[[IntegrationEvent], None], events: Iterable[domain.DomainEvent]
) -> None:
    """Hand each event's contract, in order, to the unit of work's outbox (`publish`)."""
    for event in events:
        publish(contract(event))


def _reason(code: str) -> v1.ReasonCode:
    # The domain only raises the codes the contract lists (VETTER_REASONS, the checks).
    return cast(v1.ReasonCode, code)
