"""The event flow of the pipeline, declared once: who consumes which event, with which handler.

Each entry is (event type, consuming service, handler name, what the consumer does). It is the
single source for:
- every service's consumer: `bootstrap.py` binds its reactions with `reactions_of(name, module)`,
  which refuses to start when a declared handler is missing from the service's
  `entrypoints/reactions.py` or a `when_*` handler there is not declared here;
- the gateway's AsyncAPI document ("who consumes this", `consumers_of`);
- the README's "Who reacts to what" table (a test compares it with `flow_table()`).

Producers own their contracts (`shared/contracts/<producer>/v1.py`); this map only says who
listens, so adding a consumer is one line here and one handler in that service.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from shared.contracts.catalog import v1 as catalog
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.funding import v1 as funding
from shared.contracts.nomination import v1 as nomination
from shared.contracts.vetting import v1 as vetting

Reaction = Callable[[Any, Any, Any], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    event: type[IntegrationEvent]
    consumer: str
    handler: str
    does: str


def _(event: type[IntegrationEvent], consumer: str, handler: str, does: str) -> Subscription:
    return Subscription(event, consumer, handler, does)


# fmt: off
FLOW: tuple[Subscription, ...] = (
    _(catalog.ClassCancelledV1, "funding", "when_class_cancelled_record_it",
      "records the cancellation in its read model of classes"),
    _(catalog.ClassCancelledV1, "nomination", "when_class_cancelled_cancel_nominations",
      "cancels the affected nominations (`class_cancelled`, initiated by the U.S.) and "
      "publishes `nomination.cancelled`"),
    _(catalog.ClassChangedV1, "funding", "when_class_scheduled_record_it",
      "keeps its read model of classes and decides funding requests that waited for the class "
      "(`pending_reference_data`)"),
    _(catalog.ClassChangedV1, "nomination", "when_class_scheduled_keep_read_model",
      "keeps its read model of classes (open, dates, fiscal year)"),
    _(catalog.ClassScheduledV1, "funding", "when_class_scheduled_record_it",
      "keeps its read model of classes and decides funding requests that waited for the class "
      "(`pending_reference_data`)"),
    _(catalog.ClassScheduledV1, "nomination", "when_class_scheduled_keep_read_model",
      "keeps its read model of classes (open, dates, fiscal year)"),
    _(catalog.CourseChangedV1, "funding", "when_course_published_record_it",
      "keeps its read model of courses (tuition per fiscal year for estimates) and decides "
      "requests that waited for it"),
    _(catalog.CourseChangedV1, "nomination", "when_course_published_keep_read_model",
      "keeps its read model of courses (validation at the door: English minimum, course facts)"),
    _(catalog.CoursePublishedV1, "funding", "when_course_published_record_it",
      "keeps its read model of courses (tuition per fiscal year for estimates) and decides "
      "requests that waited for it"),
    _(catalog.CoursePublishedV1, "nomination", "when_course_published_keep_read_model",
      "keeps its read model of courses (validation at the door: English minimum, course facts)"),
    _(catalog.SeatConfirmedV1, "nomination", "when_seat_confirmed_record_it",
      "with the obligation recorded: `ready_for_travel` (the ITO gate may pass)"),
    _(catalog.SeatHeldV1, "funding", "when_seat_held_refund_refilled_penalty",
      "with `backfills_nomination_id`: refunds the dedicated-course penalty of the nomination "
      "whose seat was refilled (`funding.deobligated`)"),
    _(catalog.SeatHeldV1, "nomination", "when_seat_held_record_it",
      "records the hold; requests funding once vetting approved "
      "(`nomination.funding_requested`)"),
    _(catalog.SeatReleasedV1, "nomination", "when_seat_released_record_or_cancel",
      "records the compensation in the history; an expired hold cancels the nomination "
      "(`administrative`) unless it already ended"),
    _(catalog.SeatWaitlistedV1, "nomination", "when_seat_waitlisted_record_it",
      "moves the nomination to `waitlisted` until a seat is held"),
    _(nomination.CandidateChangedV1, "vetting", "when_candidate_changed_reopen_case",
      "re-opens the case of the nomination (new cycle, `case_reopened`) with the new "
      "fingerprint and unit; the automatic checks run again"),
    _(nomination.FundingRequestedV1, "funding", "when_funding_requested_obligate_funds",
      "estimates the cost and obligates it against the country's allocation "
      "(`obligation_recorded`) or rejects it (`obligation_rejected`)"),
    _(nomination.NominationCancelledV1, "catalog", "when_nomination_cancelled_release_seat",
      "releases the seat or waitlist place (`seat_released`) and promotes the first waitlisted "
      "nomination (`seat_held` with `backfills_nomination_id`)"),
    _(nomination.NominationCancelledV1, "funding", "when_nomination_cancelled_deobligate",
      "deobligates minus the first matching penalty rule (`penalty_charged`, `deobligated`); "
      "closes a pending request"),
    _(nomination.NominationCancelledV1, "vetting", "when_nomination_cancelled_cancel_case",
      "cancels an undecided case (`vetting.cancelled`)"),
    _(nomination.NominationStateChangedV1, "funding", "when_nomination_denied_release_funds",
      "to `vetting_denied` (re-vetting denied a funded nomination): releases the whole line "
      "without penalty"),
    _(nomination.NominationSubmittedV1, "catalog", "when_nomination_submitted_hold_seat",
      "holds a seat (`seat_held`) or waitlists the nomination (`seat_waitlisted`); a cancelled "
      "or closed class releases it at once"),
    _(nomination.NominationSubmittedV1, "vetting", "when_nomination_submitted_open_case",
      "opens one case per nomination (`case_opened`); automatic checks may approve (prior "
      "approval reused) or deny (unit on the registry) at once"),
    _(nomination.NominationWithdrawnV1, "catalog", "when_nomination_withdrawn_release_seat",
      "releases the seat or waitlist place (`seat_released`) and promotes the first waitlisted "
      "nomination (`seat_held` with `backfills_nomination_id`)"),
    _(nomination.NominationWithdrawnV1, "funding", "when_nomination_withdrawn_deobligate",
      "deobligates minus the first matching penalty rule (`penalty_charged`, `deobligated`); "
      "closes a pending request"),
    _(nomination.NominationWithdrawnV1, "vetting", "when_nomination_withdrawn_cancel_case",
      "cancels an undecided case (`vetting.cancelled`)"),
    _(nomination.TrainingEndedV1, "funding", "when_training_ended_settle_obligation",
      "completed: closes the obligation; ended early: charges prorated tuition and deobligates "
      "the rest"),
    _(vetting.ApprovalSuspendedV1, "nomination", "when_approval_suspended_record_it",
      "the unit was put on the registry: `vetting_suspended` (`unit_listed`), the travel order "
      "is recalled; seat and funds stay until a vetter re-approves"),
    _(vetting.CaseOpenedV1, "nomination", "when_case_opened_record_it",
      "moves the nomination from `submitted` to `vetting` (a waitlisted one stays waitlisted)"),
    _(vetting.CaseReopenedV1, "nomination", "when_case_reopened_revet",
      "the vetted facts changed: back to `vetting` until re-approved; seat and funds stay, the "
      "travel order is recalled"),
    _(vetting.UnitRegisteredV1, "nomination", "when_unit_registered_keep_read_model",
      "keeps its read model of units (a candidate's `unit_id` must name one)"),
    _(vetting.VettingApprovedV1, "nomination", "when_vetting_approved_request_funding_when_seated",
      "with a held seat and nothing obligated: `funding` and `nomination.funding_requested`; "
      "waitlisted: waits for a seat"),
    _(vetting.VettingCancelledV1, "nomination", "when_vetting_cancelled_record_or_cancel",
      "records the compensation; a case cancelled by vetting itself cancels the nomination "
      "(`administrative`)"),
    _(vetting.VettingDeniedV1, "catalog", "when_vetting_denied_release_seat",
      "releases the seat or waitlist place and promotes the waitlist"),
    _(vetting.VettingDeniedV1, "nomination", "when_vetting_denied_end_nomination",
      "ends the nomination in `vetting_denied`"),
    _(vetting.VettingExpiredV1, "nomination", "when_vetting_expired_revet",
      "an approval lapsed before the report date: back to `vetting` until re-approved; seat "
      "and funds stay"),
    _(vetting.VettingSuspendedV1, "nomination", "when_vetting_suspended_record_it",
      "moves the nomination to `vetting_suspended` (a later approval resumes)"),
    _(funding.DeobligatedV1, "nomination", "when_deobligated_record_it",
      "records the compensation in the history"),
    _(funding.ObligationRecordedV1, "catalog", "when_obligation_recorded_confirm_seat",
      "confirms the held seat (`seat_confirmed`)"),
    _(funding.ObligationRecordedV1, "nomination", "when_obligation_recorded_record_it",
      "records it; with the seat confirmed: `ready_for_travel`"),
    _(funding.ObligationRejectedV1, "nomination", "when_obligation_rejected_wait_for_retry",
      "moves the nomination to `funding_rejected` (withdraw, or retry after the allocation "
      "grows)"),
    _(funding.PenaltyChargedV1, "nomination", "when_penalty_charged_record_it",
      "records the charge in the history"),
    _(catalog.CourseChangedV1, "reporting", "when_course_published_record_it",
      "keeps its read model of courses (title, category, schoolhouse, location) for the reports"),
    _(catalog.CoursePublishedV1, "reporting", "when_course_published_record_it",
      "keeps its read model of courses (title, category, schoolhouse, location) for the reports"),
    _(nomination.CandidateChangedV1, "reporting", "when_candidate_changed_record_unit",
      "keeps the candidate's latest unit (an organisation): the FMTR lists units per activity"),
    _(nomination.NominationCreatedV1, "reporting", "when_nomination_created_record_it",
      "counts the nomination (draft) in the pipeline funnel"),
    _(nomination.NominationStateChangedV1, "reporting", "when_nomination_state_changed_record_it",
      "moves it in the funnel (time spent per state); `in_training` makes a student trained "
      "(FMTR)"),
    _(nomination.NominationSubmittedV1, "reporting", "when_nomination_submitted_record_it",
      "records the candidate (an id) and unit: a student counts once in the FMTR"),
    _(nomination.TrainingEndedV1, "reporting", "when_training_ended_record_it",
      "records completion or early end of training (FMTR)"),
    _(vetting.CaseOpenedV1, "reporting", "when_case_opened_record_it",
      "counts an open case with its due day (vetting turnaround)"),
    _(vetting.VettingApprovedV1, "reporting", "when_vetting_decided_record_it",
      "records the case's first result and its day (vetting turnaround)"),
    _(vetting.VettingCancelledV1, "reporting", "when_vetting_cancelled_record_it",
      "closes the case without a result (not in the turnaround)"),
    _(vetting.VettingDeniedV1, "reporting", "when_vetting_decided_record_it",
      "records the case's first result and its day (vetting turnaround)"),
    _(vetting.VettingSuspendedV1, "reporting", "when_vetting_decided_record_it",
      "records the case's first result and its day (vetting turnaround)"),
    _(funding.AllocationChangedV1, "reporting", "when_allocation_set_record_it",
      "keeps the country's allocation (funding utilization)"),
    _(funding.AllocationSetV1, "reporting", "when_allocation_set_record_it",
      "keeps the country's allocation (funding utilization)"),
    _(funding.DeobligatedV1, "reporting", "when_deobligated_record_it",
      "subtracts what was returned or lapsed from the line's cost (FMTR, utilization)"),
    _(funding.ObligationRecordedV1, "reporting", "when_obligation_recorded_record_it",
      "adds the line's tuition, travel and TLA (FMTR, utilization)"),
    _(funding.PenaltyChargedV1, "reporting", "when_penalty_charged_record_it",
      "adds the charge to the line's penalties (FMTR, utilization)"),
)
# fmt: on


def subscriptions_of(consumer: str) -> list[Subscription]:
    return [s for s in FLOW if s.consumer == consumer]


def consumers_of(event_type: str) -> dict[str, str]:
    """Consuming service -> what it does, for one event type (empty: no pipeline consumer)."""
    return {s.consumer: s.does for s in FLOW if event_type == s.event.TYPE}


class FlowMismatch(RuntimeError):
    """A service's reactions and the declared flow disagree."""


def reactions_of(
    consumer: str, module: ModuleType, **dependencies: Any
) -> Mapping[type[IntegrationEvent], Reaction]:
    """The declared reactions of `consumer`, bound to the handlers of `module`.

    A handler is `async def when_<event>_<action>(event, envelope, uow, **what_it_needs)`; the
    keyword-only parameters it declares are filled from `dependencies` (settings-derived
    policies, clocks), the way a bootstrap injects them.
    """
    return bind(FLOW, consumer, module, dependencies)


def bind(
    flow: tuple[Subscription, ...],
    consumer: str,
    module: ModuleType,
    dependencies: Mapping[str, Any],
) -> Mapping[type[IntegrationEvent], Reaction]:
    """`reactions_of` for any declared flow (tests bind a small one)."""
    declared = [s for s in flow if s.consumer == consumer]
    names = {s.handler for s in declared}
    present = {n for n, f in vars(module).items() if n.startswith("when_") and callable(f)}
    missing, undeclared = names - present, present - names
    if missing or undeclared:
        raise FlowMismatch(
            f"{consumer}: handlers declared in shared/contracts/flow.py but missing from "
            f"{module.__name__}: {sorted(missing)}; handlers there but not declared: "
            f"{sorted(undeclared)}"
        )
    return {s.event: _bind(getattr(module, s.handler), dependencies) for s in declared}


def _bind(handler: Reaction, dependencies: Mapping[str, Any]) -> Reaction:
    wanted = [
        p.name
        for p in inspect.signature(handler).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    absent = [name for name in wanted if name not in dependencies]
    if absent:
        raise FlowMismatch(f"{handler.__qualname__} needs {absent}, which the bootstrap lacks")
    if not wanted:
        return handler
    given = {name: dependencies[name] for name in wanted}

    async def bound(event: Any, envelope: Any, uow: Any) -> None:
        await handler(event, envelope, uow, **given)

    bound.__name__ = bound.__qualname__ = handler.__name__
    bound.__doc__ = handler.__doc__
    return bound


def flow_table() -> list[tuple[str, str, str, str]]:
    """(event type, consumer, handler, what it does), ordered by topic then event."""
    return [(s.event.TYPE, s.consumer, s.handler, s.does) for s in FLOW]
