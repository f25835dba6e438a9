"""Builders of domain objects for the unit tests (unique ids per call)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from vetting.domain.case import VettingCase
from vetting.domain.decision import DecisionPolicy
from vetting.domain.moment import Moment


def moment(day: date) -> Moment:
    return Moment(at=datetime.combine(day, time(15, 0), tzinfo=UTC), on=day)


def new_case(
    *,
    opened_on: date = date(2026, 11, 20),
    policy: DecisionPolicy | None = None,
    duplicate_of: uuid.UUID | None = None,
    unit_name: str = "1st Infantry Battalion",
    report_date: date = date(2027, 6, 1),
) -> VettingCase:
    return VettingCase.open(
        nomination_id=uuid.uuid4(),
        candidate_id=uuid.uuid4(),
        person_fingerprint=uuid.uuid4().hex,
        country="GTM",
        unit_name=unit_name,
        class_id=uuid.uuid4(),
        report_date=report_date,
        when=moment(opened_on),
        policy=policy or DecisionPolicy(),
        possible_duplicate_of=duplicate_of,
    )
