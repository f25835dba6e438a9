"""Events the catalog service publishes on `imet.catalog.events` (version 1).

Course and class events carry the full current state (state-carrying events), so consumers
keep read models from them without calling the catalog. Seat events are keyed by the class, so
every seat movement of a class, and of each nomination in it, stays in order. Reasons travel
as codes; a catalog manager's own words stay in the catalog (docs/adr/0057).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import IntegrationEvent
from shared.contracts.types import FiscalYear, MaslId, Money, OpenCode

TOPIC = "imet.catalog.events"

CourseCategory = Literal["pme", "technical", "english_language", "other"]
EnglishTest = Literal["ecl", "toefl_ibt"]
ClassStatus = Literal["open", "full", "closed", "cancelled"]
# Why a class was cancelled (an open code set: unknown values read as "other").
ClassCancelReason = Literal[
    "instructor_unavailable",
    "insufficient_enrollment",
    "facility_unavailable",
    "course_withdrawn",
    "schedule_change",
    "security_conditions",
    "other",
]
SeatReleaseReason = Literal[
    "withdrawn",
    "cancelled",
    "vetting_denied",
    "hold_expired",
    "class_cancelled",
    "released_by_manager",
]


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class InstitutionRefV1(_Part):
    institution_id: UUID
    name: str
    location: str
    government_quarters: bool = Field(
        description="Government quarters available (lowers TLA lodging)"
    )
    government_mess: bool = Field(description="Government mess available (lowers TLA meals)")


class EnglishRequirementV1(_Part):
    test: EnglishTest
    min_score: int = Field(ge=0, le=120)


class TuitionRateV1(_Part):
    fiscal_year: FiscalYear
    amount: Money


class _CourseState(IntegrationEvent):
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "course"
    KEY_FIELD: ClassVar[str] = "masl_id"

    masl_id: MaslId
    title: str
    category: CourseCategory
    institution: InstitutionRefV1
    duration_weeks: Decimal = Field(max_digits=5, decimal_places=1)
    english_requirement: EnglishRequirementV1 | None
    eimet_certified_on: date | None
    eimet_certified_through: date | None = Field(
        None,
        description=(
            "Last day the E-IMET certification holds (the day before its recertification is "
            "due); from the next day on it has lapsed. The one definition every service uses."
        ),
    )
    dedicated_international: bool
    min_class_size: int
    max_class_size: int
    tuition: list[TuitionRateV1]
    active: bool = True
    version: int


class CoursePublishedV1(_CourseState):
    """A course was added to the catalog (full state)."""

    TYPE: ClassVar[str] = "imet.catalog.course_published.v1"


class CourseChangedV1(_CourseState):
    """A course's facts changed: title, English minimum, tuition, certification... (full state)."""

    TYPE: ClassVar[str] = "imet.catalog.course_changed.v1"


class _ClassState(IntegrationEvent):
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "class"
    KEY_FIELD: ClassVar[str] = "class_id"

    class_id: UUID
    masl_id: MaslId
    fiscal_year: FiscalYear = Field(description="Fiscal year of the class start date")
    start_date: date
    end_date: date
    report_date: date
    capacity: int
    status: ClassStatus
    seats_held: int
    seats_confirmed: int
    version: int


class ClassScheduledV1(_ClassState):
    """A class (an offering of a course) was scheduled (full state)."""

    TYPE: ClassVar[str] = "imet.catalog.class_scheduled.v1"


class ClassChangedV1(_ClassState):
    """A class's dates, capacity or status changed (full state)."""

    TYPE: ClassVar[str] = "imet.catalog.class_changed.v1"


class ClassCancelledV1(IntegrationEvent):
    """A class was cancelled; every held or confirmed seat in it was released."""

    TYPE: ClassVar[str] = "imet.catalog.class_cancelled.v1"
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "class"
    KEY_FIELD: ClassVar[str] = "class_id"

    class_id: UUID
    masl_id: MaslId
    reason: Annotated[ClassCancelReason, OpenCode()] = Field(
        description="Why, as a code. The catalog manager's explanation stays in the catalog "
        "(`cancel_reason` of the class); events published before 2026-12 may hold free "
        "text here, which readers see as `other`."
    )
    cancelled_at: datetime
    affected_nomination_ids: list[UUID]


class _SeatEvent(IntegrationEvent):
    TOPIC: ClassVar[str] = TOPIC
    AGGREGATE: ClassVar[str] = "class"
    KEY_FIELD: ClassVar[str] = "class_id"

    class_id: UUID
    masl_id: MaslId
    nomination_id: UUID


class SeatHeldV1(_SeatEvent):
    """A seat is held for a nomination until `hold_expires_at` (or confirmed before)."""

    TYPE: ClassVar[str] = "imet.catalog.seat_held.v1"

    hold_expires_at: datetime
    seats_available: int
    promoted_from_waitlist: bool = False
    backfills_nomination_id: UUID | None = Field(
        None, description="The nomination whose released seat this hold refilled, if any"
    )


class SeatConfirmedV1(_SeatEvent):
    """The held seat is confirmed (funds were obligated)."""

    TYPE: ClassVar[str] = "imet.catalog.seat_confirmed.v1"


class SeatReleasedV1(_SeatEvent):
    """The nomination's seat (held or confirmed) or waitlist place was given up."""

    TYPE: ClassVar[str] = "imet.catalog.seat_released.v1"

    reason: SeatReleaseReason
    was: Literal["held", "confirmed", "waitlisted"]


class SeatWaitlistedV1(_SeatEvent):
    """The class was full: the nomination is on its waitlist at `position` (1 = next)."""

    TYPE: ClassVar[str] = "imet.catalog.seat_waitlisted.v1"

    position: int
