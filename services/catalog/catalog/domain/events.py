"""Domain events: what happened inside the catalog, in its own terms.

They are translated into the published integration events (`shared.contracts.catalog.v1`) by
`catalog.adapters.publishing`; the two are different types on purpose, so the domain can
change without breaking a contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class SeatStatus(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    RELEASED = "released"


ACTIVE_SEAT_STATUSES = frozenset({SeatStatus.HELD, SeatStatus.CONFIRMED, SeatStatus.WAITLISTED})


class ReleaseReason(StrEnum):
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    VETTING_DENIED = "vetting_denied"
    HOLD_EXPIRED = "hold_expired"
    CLASS_CANCELLED = "class_cancelled"
    RELEASED_BY_MANAGER = "released_by_manager"


@dataclass(frozen=True)
class SeatHeld:
    class_id: UUID
    masl_id: str
    nomination_id: UUID
    hold_expires_at: datetime
    seats_available: int
    promoted_from_waitlist: bool
    backfills_nomination_id: UUID | None


@dataclass(frozen=True)
class SeatWaitlisted:
    class_id: UUID
    masl_id: str
    nomination_id: UUID
    position: int


@dataclass(frozen=True)
class SeatConfirmed:
    class_id: UUID
    masl_id: str
    nomination_id: UUID


@dataclass(frozen=True)
class SeatReleased:
    class_id: UUID
    masl_id: str
    nomination_id: UUID
    reason: ReleaseReason
    was: SeatStatus


@dataclass(frozen=True)
class ClassChanged:
    """The class's dates, capacity or status changed (consumers get its full state)."""

    class_id: UUID


@dataclass(frozen=True)
class ClassCancelled:
    class_id: UUID
    masl_id: str
    reason: str  # the catalog manager's words: they stay in the catalog
    cancelled_at: datetime
    affected_nomination_ids: tuple[UUID, ...]
    reason_code: str = "other"  # what the event says (shared.contracts ClassCancelReason)


SeatEvent = SeatHeld | SeatWaitlisted | SeatConfirmed | SeatReleased
DomainEvent = SeatEvent | ClassChanged | ClassCancelled
