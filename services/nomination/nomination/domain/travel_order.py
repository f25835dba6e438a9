"""The Invitational Travel Order gate and number.

The DoD Inspector General found travel orders issued before vetting finished; here the gate makes
that impossible: an ITO is issued only when EVERY screening item holds, and the refusal lists all
that is missing. Number: `<country>-<agency letter>-<serial, 6 digits>-<yy><mm of the report date>`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from nomination.domain.candidate import Person, missing_fields
from nomination.domain.reference import ClassFacts
from nomination.domain.rules import Rules
from nomination.domain.states import Funding, Seat, State, Vetting
from nomination.domain.submission import Problem


@dataclass(frozen=True)
class Screening:
    state: State
    seat: Seat
    vetting: Vetting
    vetting_valid_until: date | None
    funding: Funding
    medical_cleared_on: date | None
    security_screened_on: date | None
    data_complete_on: date | None


def is_data_complete(
    person: Person, medical_cleared_on: date | None, security_screened_on: date | None
) -> bool:
    """Student data is complete: every candidate field, medical clearance, security screening."""
    screened = medical_cleared_on is not None and security_screened_on is not None
    return screened and not missing_fields(person)


def gate_problems(
    screening: Screening, klass: ClassFacts | None, english: Problem | None, rules: Rules
) -> list[Problem]:
    """Everything that still stands between the nomination and its travel order."""
    s = screening
    missing: list[Problem] = []
    if klass is None:
        return [Problem("class-unknown", "class_id", "the class is not in the catalog read model")]
    if s.state not in (State.READY_FOR_TRAVEL, State.IN_TRAINING):
        missing.append(Problem("not-ready-for-travel", "status", f"the nomination is {s.state}"))
    if s.vetting is not Vetting.APPROVED:
        missing.append(Problem("vetting-not-approved", "vetting_status", f"vetting is {s.vetting}"))
    elif s.vetting_valid_until is None or s.vetting_valid_until < klass.report_date:
        missing.append(
            Problem(
                "vetting-lapses",
                "vetting_valid_until",
                "the vetting approval lapses before the report date",
            )
        )
    if english is not None:
        missing.append(english)
    if s.medical_cleared_on is None:
        missing.append(
            Problem("medical-clearance-missing", "medical_clearance", "no medical clearance")
        )
    if s.security_screened_on is None:
        missing.append(
            Problem("security-screening-missing", "security_screening", "no security screening")
        )
    if s.funding is not Funding.OBLIGATED:
        missing.append(Problem("funds-not-obligated", "funding_status", f"funding is {s.funding}"))
    if s.seat is not Seat.CONFIRMED:
        missing.append(Problem("seat-not-confirmed", "seat_status", f"the seat is {s.seat}"))
    deadline = klass.report_date - timedelta(days=rules.data_complete_days_before_report)
    if s.data_complete_on is None or s.data_complete_on > deadline:
        missing.append(
            Problem(
                "data-incomplete",
                "data_complete_on",
                f"student data must be complete by {deadline.isoformat()} "
                f"({rules.data_complete_days_before_report} days before the report date)",
            )
        )
    return missing


def ito_number(country: str, agency_letter: str, serial: int, report_date: date) -> str:
    """E.g. `GTM-D-000123-2701`: serial 123 of Guatemala, Air Force course, reporting Jan 2027."""
    return f"{country}-{agency_letter}-{serial:06d}-{report_date:%y%m}"


def content_digest(content: dict[str, Any]) -> str:
    """A stable digest of an order's content: equal content, equal digest (new version or not)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
