"""The nomination's state and the three sub-statuses the process manager decides from.

The state is what the SCO sees; the sub-statuses are the facts other services announced about
their own aggregates (seat, vetting case, obligation). ADR 0004: only the nomination service
sees all three together, so it alone decides when a step whose preconditions span services may
run (e.g. request funding only for an approved candidate who holds a seat).
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VETTING = "vetting"
    FUNDING = "funding"
    READY_FOR_TRAVEL = "ready_for_travel"
    IN_TRAINING = "in_training"
    COMPLETED = "completed"
    TRAINING_TERMINATED = "training_terminated"
    WAITLISTED = "waitlisted"
    VETTING_DENIED = "vetting_denied"
    VETTING_SUSPENDED = "vetting_suspended"
    FUNDING_REJECTED = "funding_rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


class Seat(StrEnum):
    NONE = "none"
    HELD = "held"
    WAITLISTED = "waitlisted"
    CONFIRMED = "confirmed"
    RELEASED = "released"


class Vetting(StrEnum):
    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    DENIED = "denied"
    CANCELLED = "cancelled"


class Funding(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    OBLIGATED = "obligated"
    REJECTED = "rejected"
    DEOBLIGATED = "deobligated"


TERMINAL: frozenset[State] = frozenset(
    {
        State.COMPLETED,
        State.TRAINING_TERMINATED,
        State.VETTING_DENIED,
        State.WITHDRAWN,
        State.CANCELLED,
    }
)
# Submitted and not yet travelling: the states the process manager moves between on facts.
PIPELINE: frozenset[State] = frozenset(
    {
        State.SUBMITTED,
        State.VETTING,
        State.WAITLISTED,
        State.VETTING_SUSPENDED,
        State.FUNDING,
        State.FUNDING_REJECTED,
        State.READY_FOR_TRAVEL,
    }
)
# A nomination that occupies the person's place in a class (the duplicate rule's "active").
ACTIVE: frozenset[State] = PIPELINE | {State.IN_TRAINING}
# What withdrawal and cancellation may end (training has its own end: complete / terminate).
CANCELLABLE: frozenset[State] = PIPELINE | {State.DRAFT}
