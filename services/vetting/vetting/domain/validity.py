"""How long an approval clears a person, when it may be reused, and when it must be re-vetted.

- An approval decided (made effective) on day D with a validity of N months is valid up to and
  including the day before the same calendar day N months later (`valid_until`); it lapses on
  the day after `valid_until`. A month end clamps: 2028-02-29 + 12 months -> 2029-02-28.
- A still-valid approval is reused by a later case of the same person (same `candidate_id`)
  vetted with the same unit in the same country: the new case is approved at once with the
  prior's `valid_until` (reuse never extends validity).
- An approval that lapses before the class report date must be re-vetted: the case is
  re-opened once the lapse is at most `lead_days` away (0 = on the day it lapses).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def approval_valid_until(effective_on: date, validity_months: int) -> date:
    """The last day an approval made effective on `effective_on` clears the person."""
    if validity_months < 1:
        raise ValueError("validity_months must be at least 1")
    return add_months(effective_on, validity_months) - timedelta(days=1)


def lapses_on(valid_until: date) -> date:
    """The first day an approval no longer clears the person."""
    return valid_until + timedelta(days=1)


def is_valid_on(valid_until: date, day: date) -> bool:
    return day <= valid_until


@dataclass(frozen=True)
class PriorApproval:
    """An approved case of someone the new case may be about."""

    case_id: UUID
    candidate_id: UUID
    unit_key: str
    country: str
    valid_until: date
    vetted_revision: int = 0


def reusable_approval(
    approvals: list[PriorApproval],
    *,
    candidate_id: UUID,
    unit_key: str,
    country: str,
    on: date,
    vetted_revision: int = 0,
) -> PriorApproval | None:
    """The prior approval a new case reuses: same person, unit and country, about the same
    revision of the candidate's vetted facts (names, birth, unit, service, rank), still valid
    `on`.

    Among several, the one valid longest. A match by fingerprint alone (another candidate_id)
    is never reused: it is only a possible duplicate for a vetter to look at. An approval of
    facts that changed since is never reused either.
    """
    fitting = [
        a
        for a in approvals
        if a.candidate_id == candidate_id
        and a.unit_key == unit_key
        and a.country == country
        and a.vetted_revision == vetted_revision
        and is_valid_on(a.valid_until, on)
    ]
    return max(fitting, key=lambda a: (a.valid_until, str(a.case_id)), default=None)


def needs_revetting(*, valid_until: date, report_date: date, today: date, lead_days: int) -> bool:
    """True when the approval lapses before the report date and the lapse is near enough.

    Once the report date has passed without the approval lapsing first, nothing is due.
    """
    if lead_days < 0:
        raise ValueError("lead_days must not be negative")
    lapse = lapses_on(valid_until)
    return lapse <= report_date and today >= lapse - timedelta(days=lead_days)
