"""Class and seat bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from catalog.domain.course import EimetStatus
from catalog.domain.events import ReleaseReason, SeatStatus
from catalog.domain.offering import ClassStatus, CourseClass
from catalog.entrypoints.http.schemas.common import (
    NO_NUL,
    CalendarDate,
    MaslNumber,
    PatchBody,
    RequestBody,
)
from shared.contracts.catalog.v1 import ClassCancelReason
from shared.http.pagination import Page

Capacity = Annotated[int, Field(ge=1, le=1000, description="Seats in the class")]
CLASS_ID_EXAMPLE = "0d9a3d1e-5c1b-4b7e-9f43-2f7f0e3b8c21"


class ClassCreate(RequestBody):
    masl_id: MaslNumber
    start_date: CalendarDate
    end_date: CalendarDate
    report_date: CalendarDate | None = Field(
        None,
        description="When students report; default: a configured number of days before the start",
    )
    capacity: Capacity

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "masl_id": "D177014",
                    "start_date": "2027-02-01",
                    "end_date": "2027-04-02",
                    "report_date": "2027-01-28",
                    "capacity": 20,
                }
            ]
        }
    )


class ClassUpdate(PatchBody):
    start_date: CalendarDate | None = None
    end_date: CalendarDate | None = None
    report_date: CalendarDate | None = None
    capacity: Capacity | None = None
    status: Literal["open", "closed"] | None = Field(
        None, description="`closed` stops new nominations (seats stay); `open` takes them again"
    )

    NULLABLE: ClassVar[frozenset[str]] = frozenset()
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"capacity": 24}, {"status": "closed"}]}
    )


class ClassCancel(RequestBody):
    reason: str = Field(
        min_length=1,
        max_length=500,
        pattern=NO_NUL,
        description="Why the class is cancelled, in your words: shown on the class "
        "(`cancel_reason`), never published in an event",
    )
    reason_code: ClassCancelReason = Field(
        "other", description="Why, as a code: what the `class_cancelled` event tells others"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Instructor shortage", "reason_code": "instructor_unavailable"}]
        }
    )


class ClassPublic(BaseModel):
    id: UUID
    masl_id: str
    course_title: str
    fiscal_year: int
    start_date: date
    end_date: date
    report_date: date
    capacity: int
    status: ClassStatus
    seats_held: int
    seats_confirmed: int
    seats_waitlisted: int
    seats_available: int
    eimet_recertification_due: bool = Field(
        description="The course's E-IMET certification is due for renewal"
    )
    eimet_certification_lapsed: bool = Field(
        description="The course's E-IMET certification has lapsed"
    )
    cancel_reason: str | None
    cancelled_at: datetime | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": CLASS_ID_EXAMPLE,
                    "masl_id": "D177014",
                    "course_title": "DLIELC PME Preparation",
                    "fiscal_year": 2027,
                    "start_date": "2027-02-01",
                    "end_date": "2027-04-02",
                    "report_date": "2027-01-28",
                    "capacity": 20,
                    "status": "open",
                    "seats_held": 3,
                    "seats_confirmed": 12,
                    "seats_waitlisted": 0,
                    "seats_available": 5,
                    "eimet_recertification_due": False,
                    "eimet_certification_lapsed": False,
                    "cancel_reason": None,
                    "cancelled_at": None,
                    "version": 4,
                    "created_at": "2026-11-28T09:00:00Z",
                    "updated_at": "2026-12-02T14:31:07Z",
                }
            ]
        }
    )

    @classmethod
    def of(cls, offering: CourseClass, course_title: str, eimet: EimetStatus) -> ClassPublic:
        o = offering
        return cls(
            id=o.id,
            masl_id=o.masl_id,
            course_title=course_title,
            fiscal_year=o.fiscal_year,
            start_date=o.start_date,
            end_date=o.end_date,
            report_date=o.report_date,
            capacity=o.capacity,
            status=o.status,
            seats_held=o.seats_held,
            seats_confirmed=o.seats_confirmed,
            seats_waitlisted=o.seats_waitlisted,
            seats_available=o.seats_available,
            eimet_recertification_due=eimet.recertification_due,
            eimet_certification_lapsed=eimet.lapsed,
            cancel_reason=o.cancel_reason,
            cancelled_at=o.cancelled_at,
            version=o.version,
            created_at=o.created_at,
            updated_at=o.updated_at,
        )


class ClassPage(Page[ClassPublic]):
    pass


class SeatPublic(BaseModel):
    nomination_id: UUID
    country: str | None
    status: SeatStatus
    waitlist_position: int | None = Field(
        description="1 = next to get a seat; only while waitlisted"
    )
    hold_expires_at: datetime | None
    promoted_from_waitlist: bool
    backfills_nomination_id: UUID | None
    released_from: SeatStatus | None
    release_reason: ReleaseReason | None
    created_at: datetime
    held_at: datetime | None
    confirmed_at: datetime | None
    released_at: datetime | None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nomination_id": "7c2f6a8e-1d1b-4d0c-a1f5-8f3e2b9c4d10",
                    "country": "GTM",
                    "status": "held",
                    "waitlist_position": None,
                    "hold_expires_at": "2027-01-12T00:00:00Z",
                    "promoted_from_waitlist": False,
                    "backfills_nomination_id": None,
                    "released_from": None,
                    "release_reason": None,
                    "created_at": "2026-12-01T10:02:03Z",
                    "held_at": "2026-12-01T10:02:03Z",
                    "confirmed_at": None,
                    "released_at": None,
                }
            ]
        }
    )


class SeatPage(Page[SeatPublic]):
    pass
