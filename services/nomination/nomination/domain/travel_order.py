"""The Invitational Travel Order: number, content digest, status and why it was recalled.

Issued only through the gate (`domain/gate.py`). Number:
`<country>-<agency letter>-<serial, 6 digits>-<yy><mm of the report date>`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from nomination.domain.candidate import Person, missing_fields
from nomination.domain.states import State, Vetting


def is_data_complete(
    person: Person, medical_cleared_on: date | None, security_screened_on: date | None
) -> bool:
    """Student data is complete: every candidate field, medical clearance, security screening."""
    screened = medical_cleared_on is not None and security_screened_on is not None
    return screened and not missing_fields(person)


class OrderStatus(StrEnum):
    """An issued order is `current` until a newer version supersedes it or a fact behind it
    stops being true and recalls it. Superseded and recalled orders stay readable (and
    printable, stamped as such) for the record; neither can ever be used again."""

    CURRENT = "current"
    SUPERSEDED = "superseded"
    RECALLED = "recalled"


def order_status(superseded_at: datetime | None, recalled_at: datetime | None) -> OrderStatus:
    if recalled_at is not None:
        return OrderStatus.RECALLED
    if superseded_at is not None:
        return OrderStatus.SUPERSEDED
    return OrderStatus.CURRENT


class RecallReason(StrEnum):
    """Why an order was recalled: the first fact behind it that stopped being true."""

    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    VETTING_DENIED = "vetting_denied"
    UNIT_LISTED = "unit_listed"
    VETTING_SUSPENDED = "vetting_suspended"
    APPROVAL_LAPSED = "approval_lapsed"
    CANDIDATE_CHANGED = "candidate_changed"
    REVETTING = "revetting"
    SEAT_RELEASED = "seat_released"
    DEOBLIGATED = "deobligated"
    EIMET_CERTIFICATION_LAPSED = "eimet_certification_lapsed"
    SCREENING_INCOMPLETE = "screening_incomplete"


# A nomination back in vetting says why in its status reason.
_REVETTING = {
    "approval_lapsed": RecallReason.APPROVAL_LAPSED,
    "candidate_changed": RecallReason.CANDIDATE_CHANGED,
}


def recall_reason(
    state: State, vetting: Vetting, status_reason: str | None, missing: list[str]
) -> RecallReason:
    """The reason to give for a recall, most decisive fact first (`missing` = gate codes)."""
    if state is State.WITHDRAWN:
        return RecallReason.WITHDRAWN
    if state is State.CANCELLED:
        return RecallReason.CANCELLED
    if vetting is Vetting.DENIED:
        return RecallReason.VETTING_DENIED
    if vetting is Vetting.SUSPENDED:
        if status_reason == "unit_listed":
            return RecallReason.UNIT_LISTED
        return RecallReason.VETTING_SUSPENDED
    if vetting is not Vetting.APPROVED:
        return _REVETTING.get(status_reason or "", RecallReason.REVETTING)
    by_code = (
        ("seat-not-confirmed", RecallReason.SEAT_RELEASED),
        ("funds-not-obligated", RecallReason.DEOBLIGATED),
        ("vetting-lapses", RecallReason.APPROVAL_LAPSED),
        ("eimet-certification-lapsed", RecallReason.EIMET_CERTIFICATION_LAPSED),
        ("course-not-eimet-certified", RecallReason.EIMET_CERTIFICATION_LAPSED),
    )
    for code, reason in by_code:
        if code in missing:
            return reason
    return RecallReason.SCREENING_INCOMPLETE


def ito_number(country: str, agency_letter: str, serial: int, report_date: date) -> str:
    """E.g. `GTM-D-000123-2701`: serial 123 of Guatemala, Air Force course, reporting Jan 2027."""
    return f"{country}-{agency_letter}-{serial:06d}-{report_date:%y%m}"


def content_digest(content: dict[str, Any]) -> str:
    """A stable digest of an order's content: equal content, equal digest (new version or not)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class TravelOrder:
    """One immutable version of a nomination's ITO (superseded or recalled, never changed)."""

    id: UUID
    nomination_id: UUID
    version: int
    number: str
    content: dict[str, Any]
    content_digest: str
    issued_at: datetime
    issued_by: str
    superseded_at: datetime | None = None
    recalled_at: datetime | None = None
    recall_reason: str | None = None
    recall_detail: dict[str, Any] | None = None

    @property
    def status(self) -> OrderStatus:
        return order_status(self.superseded_at, self.recalled_at)
