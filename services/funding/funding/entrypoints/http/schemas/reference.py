"""Bodies of the reference-data API: TLA matrix, travel costs, penalty rules, parameters."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from funding.entrypoints.http.schemas.common import NonNegativeMoney, with_example
from shared.contracts.types import CountryCode, Money
from shared.http.pagination import Page

Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


class TlaRatePublic(BaseModel):
    model_config = with_example(
        id="1b2c...",
        government_quarters=True,
        government_mess=True,
        with_dependents=False,
        lodging_per_day="30.00",
        meals_per_day="15.00",
        updated_at="2026-11-30T00:00:00Z",
    )
    id: UUID
    government_quarters: bool
    government_mess: bool
    with_dependents: bool
    lodging_per_day: Money
    meals_per_day: Money
    updated_at: datetime


class TlaRateUpdate(BaseModel):
    model_config = with_example(lodging_per_day="32.00", meals_per_day="15.00")
    lodging_per_day: NonNegativeMoney
    meals_per_day: NonNegativeMoney


class TravelCostSet(BaseModel):
    model_config = with_example(
        amount="2400.00", note="Guatemala City - San Antonio round trip (illustrative)"
    )
    amount: NonNegativeMoney
    note: str | None = Field(None, max_length=500)


class TravelCostPublic(BaseModel):
    country: CountryCode
    amount: Money
    note: str | None
    updated_at: datetime


class TravelCostPage(Page[TravelCostPublic]):
    pass


class PenaltyRuleFields(BaseModel):
    description: str = Field(min_length=3, max_length=500)
    trigger: Literal["cancellation", "non_completion"]
    initiated_by: Literal["country", "us_government", "any"] = "any"
    course_kind: Literal["dedicated", "non_dedicated", "any"] = "any"
    within_days_before_start: int | None = Field(
        None,
        ge=0,
        le=3650,
        description="Applies when released fewer than this many days before the start",
    )
    percent_of_tuition: Percent
    prorate_by_attendance: bool = False
    waived_when_refilled: bool = False
    priority: int = Field(
        ge=0, le=10_000, description="Lower first; the first matching rule decides"
    )
    active: bool = True


class PenaltyRuleCreate(PenaltyRuleFields):
    model_config = with_example(
        code="very_late_cancellation",
        description="75% of tuition when the country cancels < 14 days before start",
        trigger="cancellation",
        initiated_by="country",
        course_kind="non_dedicated",
        within_days_before_start=14,
        percent_of_tuition="75.00",
        priority=25,
    )
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{2,49}$")


class PenaltyRuleUpdate(PenaltyRuleFields):
    model_config = with_example(
        description="Other courses: 50% of tuition when the country cancels < 45 days before start",
        trigger="cancellation",
        initiated_by="country",
        course_kind="non_dedicated",
        within_days_before_start=45,
        percent_of_tuition="50.00",
        priority=30,
    )


class PenaltyRulePublic(PenaltyRuleFields):
    model_config = with_example(
        code="late_cancellation",
        description="Other courses: 50% of tuition when the country cancels less than 60 days "
        "before the start",
        trigger="cancellation",
        initiated_by="country",
        course_kind="non_dedicated",
        within_days_before_start=60,
        percent_of_tuition="50.00",
        prorate_by_attendance=False,
        waived_when_refilled=False,
        priority=30,
        active=True,
        updated_at="2026-11-30T00:00:00Z",
    )
    code: str
    updated_at: datetime


class ParameterUpdate(BaseModel):
    model_config = with_example(value="12.00")
    value: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class ParameterPublic(BaseModel):
    model_config = with_example(
        name="incidentals_per_day",
        value="11.00",
        unit="usd_per_day",
        description="Flat incidentals added to the TLA for every course day",
        updated_at="2026-11-30T00:00:00Z",
    )
    name: str
    value: Decimal
    unit: str
    description: str
    updated_at: datetime
