"""Bodies of `/estimates`: what a line for a class would cost (tuition, travel, living
allowance)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from funding.entrypoints.http.schemas.common import with_example
from shared.contracts.types import CountryCode, FiscalYear, MaslId, Money


class EstimateRequest(BaseModel):
    model_config = with_example(
        class_id="c1d2e3f4-0000-4000-8000-000000000001", country="GTM", with_dependents=False
    )
    class_id: UUID
    country: CountryCode
    with_dependents: bool = False
    government_quarters: bool | None = Field(
        None, description="Override the schoolhouse's quarters"
    )
    government_mess: bool | None = Field(None, description="Override the schoolhouse's mess")


class LivingAllowancePublic(BaseModel):
    lodging_per_day: Money
    meals_per_day: Money
    incidentals_per_day: Money
    per_day: Money
    days: int
    total: Money


class EstimatePublic(BaseModel):
    model_config = with_example(
        class_id="c1d2e3f4-0000-4000-8000-000000000001",
        masl_id="D177014",
        country="GTM",
        class_fiscal_year=2026,
        course_days=76,
        tuition="9800.00",
        travel="2400.00",
        travel_is_default=False,
        government_quarters=True,
        government_mess=True,
        with_dependents=False,
        living_allowance={
            "lodging_per_day": "30.00",
            "meals_per_day": "15.00",
            "incidentals_per_day": "11.00",
            "per_day": "56.00",
            "days": 76,
            "total": "4256.00",
        },
        total="16456.00",
    )
    class_id: UUID
    masl_id: MaslId
    country: CountryCode
    class_fiscal_year: FiscalYear
    course_days: int
    tuition: Money
    travel: Money
    travel_is_default: bool
    government_quarters: bool
    government_mess: bool
    with_dependents: bool
    living_allowance: LivingAllowancePublic
    total: Money
