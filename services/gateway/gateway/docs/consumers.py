"""Who inside the pipeline consumes each published event, and what it does with it.

Written from ADR 0004 (docs/adr/0004-pipeline-saga.md) and the services' READMEs. The gateway
may not import the services, so this is a table; a gateway test compares it with every
service's registered reactions, so it cannot drift from the code unnoticed.
"""

from __future__ import annotations

from typing import Final

_COURSE_READ_MODEL = {
    "nomination": "keeps its read model of courses (validation at the door: English minimum, "
    "course facts)",
    "funding": "keeps its read model of courses (tuition per fiscal year for estimates) and "
    "decides requests that waited for it",
}
_CLASS_READ_MODEL = {
    "nomination": "keeps its read model of classes (open, dates, fiscal year)",
    "funding": "keeps its read model of classes and decides funding requests that waited for "
    "the class (`pending_reference_data`)",
}
_WITHDRAWN_OR_CANCELLED = {
    "catalog": "releases the seat or waitlist place (`seat_released`) and promotes the first "
    "waitlisted nomination (`seat_held` with `backfills_nomination_id`)",
    "funding": "deobligates minus the first matching penalty rule (`penalty_charged`, "
    "`deobligated`); closes a pending request",
    "vetting": "cancels an undecided case (`vetting.cancelled`)",
}

CONSUMERS: Final[dict[str, dict[str, str]]] = {
    "imet.catalog.course_published.v1": _COURSE_READ_MODEL,
    "imet.catalog.course_changed.v1": _COURSE_READ_MODEL,
    "imet.catalog.class_scheduled.v1": _CLASS_READ_MODEL,
    "imet.catalog.class_changed.v1": _CLASS_READ_MODEL,
    "imet.catalog.class_cancelled.v1": {
        "nomination": "cancels the affected nominations (`class_cancelled`, initiated by the "
        "U.S.) and publishes `nomination.cancelled`",
        "funding": "records the cancellation in its read model of classes",
    },
    "imet.catalog.seat_held.v1": {
        "nomination": "records the hold; requests funding once vetting approved "
        "(`nomination.funding_requested`)",
        "funding": "with `backfills_nomination_id`: refunds the dedicated-course penalty of "
        "the nomination whose seat was refilled (`funding.deobligated`)",
    },
    "imet.catalog.seat_waitlisted.v1": {
        "nomination": "moves the nomination to `waitlisted` until a seat is held",
    },
    "imet.catalog.seat_confirmed.v1": {
        "nomination": "with the obligation recorded: `ready_for_travel` (the ITO gate may pass)",
    },
    "imet.catalog.seat_released.v1": {
        "nomination": "records the compensation in the history; an expired hold cancels the "
        "nomination (`administrative`) unless it already ended",
    },
    "imet.nomination.created.v1": {},
    "imet.nomination.submitted.v1": {
        "catalog": "holds a seat (`seat_held`) or waitlists the nomination "
        "(`seat_waitlisted`); a cancelled or closed class releases it at once",
        "vetting": "opens one case per nomination (`case_opened`); automatic checks may "
        "approve (prior approval reused) or deny (unit on the registry) at once",
    },
    "imet.nomination.state_changed.v1": {
        "funding": "to `vetting_denied` (re-vetting denied a funded nomination): releases the "
        "whole line without penalty",
    },
    "imet.nomination.funding_requested.v1": {
        "funding": "estimates the cost and obligates it against the country's allocation "
        "(`obligation_recorded`) or rejects it (`obligation_rejected`)",
    },
    "imet.nomination.withdrawn.v1": _WITHDRAWN_OR_CANCELLED,
    "imet.nomination.cancelled.v1": _WITHDRAWN_OR_CANCELLED,
    "imet.nomination.training_ended.v1": {
        "funding": "completed: closes the obligation; ended early: charges prorated tuition "
        "and deobligates the rest",
    },
    "imet.nomination.ito_issued.v1": {},
    "imet.nomination.ito_recalled.v1": {},
    "imet.nomination.candidate_changed.v1": {
        "vetting": "re-opens the case of the nomination (new cycle, `case_reopened`) with the "
        "new fingerprint and unit; the automatic checks run again",
    },
    "imet.vetting.case_opened.v1": {
        "nomination": "moves the nomination from `submitted` to `vetting` (a waitlisted one "
        "stays waitlisted)",
    },
    "imet.vetting.approved.v1": {
        "nomination": "with a held seat and nothing obligated: `funding` and "
        "`nomination.funding_requested`; waitlisted: waits for a seat",
    },
    "imet.vetting.suspended.v1": {
        "nomination": "moves the nomination to `vetting_suspended` (a later approval resumes)",
    },
    "imet.vetting.denied.v1": {
        "nomination": "ends the nomination in `vetting_denied`",
        "catalog": "releases the seat or waitlist place and promotes the waitlist",
    },
    "imet.vetting.cancelled.v1": {
        "nomination": "records the compensation; a case cancelled by vetting itself cancels "
        "the nomination (`administrative`)",
    },
    "imet.vetting.case_reopened.v1": {
        "nomination": "the vetted facts changed: back to `vetting` until re-approved; seat and "
        "funds stay, the travel order is recalled",
    },
    "imet.vetting.approval_suspended.v1": {
        "nomination": "the unit was put on the registry: `vetting_suspended` (`unit_listed`), "
        "the travel order is recalled; seat and funds stay until a vetter re-approves",
    },
    "imet.vetting.unit_registered.v1": {
        "nomination": "keeps its read model of units (a candidate's `unit_id` must name one)",
    },
    "imet.vetting.expired.v1": {
        "nomination": "an approval lapsed before the report date: back to `vetting` until "
        "re-approved; seat and funds stay",
    },
    "imet.funding.appropriation_set.v1": {},
    "imet.funding.allocation_set.v1": {},
    "imet.funding.allocation_changed.v1": {},
    "imet.funding.obligation_recorded.v1": {
        "catalog": "confirms the held seat (`seat_confirmed`)",
        "nomination": "records it; with the seat confirmed: `ready_for_travel`",
    },
    "imet.funding.obligation_rejected.v1": {
        "nomination": "moves the nomination to `funding_rejected` (withdraw, or retry after "
        "the allocation grows)",
    },
    "imet.funding.deobligated.v1": {
        "nomination": "records the compensation in the history",
    },
    "imet.funding.penalty_charged.v1": {
        "nomination": "records the charge in the history",
    },
}


def consumers_of(event_type: str) -> dict[str, str]:
    """Consuming service -> what it does, for one event type (empty: no pipeline consumer)."""
    return CONSUMERS.get(event_type, {})
