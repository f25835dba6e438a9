"""One definition of "E-IMET certification lapsed", from the catalog to the pipeline.

The catalog decides (`EimetPolicy`) and publishes the last day a certification holds
(`eimet_certified_through` in its course events); the nomination service compares dates with
the published day and never recomputes it. Driven through the published contract: whatever the
certification date, on every day around its anniversary the catalog's `lapsed` flag and the
nomination's refusal agree.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from catalog.adapters.publishing import course_state
from catalog.domain.course import (
    Course,
    CourseCategory,
    EimetPolicy,
    EnglishRequirement,
    EnglishTest,
    Institution,
)
from catalog.domain.masl import Agency
from nomination.adapters.repositories.reference import course_facts
from nomination.domain.submission import eimet_problem
from shared.contracts.catalog.v1 import CoursePublishedV1

INSTITUTION = Institution(
    id=uuid.uuid4(), name="DLIELC", location="JBSA-Lackland, TX",
    implementing_agency=Agency.AIR_FORCE, government_quarters=True, government_mess=True,
)  # fmt: skip


def _published(certified_on: date, policy: EimetPolicy) -> CoursePublishedV1:
    course = Course(
        masl_id="D177014", title="PME Preparation", institution_id=INSTITUTION.id,
        category=CourseCategory.PME, duration_weeks=Decimal("8"),
        english_requirement=EnglishRequirement(EnglishTest.ECL, 80),
        eimet_certified_on=certified_on, dedicated_international=False, min_class_size=1,
        max_class_size=20,
    )  # fmt: skip
    wire = course_state(CoursePublishedV1, course, INSTITUTION, policy).body()
    return CoursePublishedV1.model_validate(wire)


class _Row:
    """What the nomination read model stores from the event (the columns `course_facts` reads)."""

    def __init__(self, event: CoursePublishedV1) -> None:
        self.masl_id, self.title, self.active = event.masl_id, event.title, event.active
        self.institution_name = event.institution.name
        self.location = event.institution.location
        requirement = event.english_requirement
        self.english_test = requirement.test if requirement else None
        self.english_min_score = requirement.min_score if requirement else None
        self.eimet_certified_on = event.eimet_certified_on
        self.eimet_certified_through = event.eimet_certified_through


@given(
    certified_on=st.dates(date(2015, 1, 1), date(2030, 12, 31)),
    years=st.integers(1, 10),
    offset=st.integers(-3, 3),
)
def test_catalog_and_nomination_call_the_same_day_lapsed(
    certified_on: date, years: int, offset: int
) -> None:
    policy = EimetPolicy(validity_years=years, warning_days=180)
    event = _published(certified_on, policy)
    through = event.eimet_certified_through
    assert through is not None
    day = through + timedelta(days=offset)

    catalog_lapsed = policy.status(certified_on, day).lapsed
    refused = eimet_problem("eimet", course_facts(_Row(event)), day)  # type: ignore[arg-type]

    assert catalog_lapsed == (refused is not None)
    assert catalog_lapsed == (offset > 0)


def test_the_anniversary_is_the_first_lapsed_day_for_both() -> None:
    policy = EimetPolicy(validity_years=5, warning_days=180)
    event = _published(date(2021, 12, 2), policy)
    facts = course_facts(_Row(event))  # type: ignore[arg-type]

    assert event.eimet_certified_through == date(2026, 12, 1)
    assert eimet_problem("eimet", facts, date(2026, 12, 1)) is None
    assert policy.status(date(2021, 12, 2), date(2026, 12, 1)).lapsed is False
    assert eimet_problem("eimet", facts, date(2026, 12, 2)) is not None
    assert policy.status(date(2021, 12, 2), date(2026, 12, 2)).lapsed is True
