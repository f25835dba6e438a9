"""Request and response bodies of the funding API (XCreate / XUpdate / XPublic / XPage)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.funding.v1 import AllocationReason
from shared.contracts.types import CountryCode, FiscalYear, MaslId, Money
from shared.http.pagination import Page

Reason = Annotated[
    str, Field(min_length=3, max_length=500, description="Why (recorded with the actor)")
]
NonNegativeMoney = Annotated[Money, Field(ge=0, le=Decimal("999999999999.99"))]


def with_example(**example: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


class TrancheIn(BaseModel):
    model_config = with_example(amount="105000000.00", available_until="2026-09-30")
    amount: Annotated[Money, Field(gt=0, le=Decimal("999999999999.99"))]
    available_until: date = Field(description="Last day the tranche may be obligated")


class AppropriationSet(BaseModel):
    model_config = with_example(
        amount="110000000.00",
        tranches=[
            {"amount": "105000000.00", "available_until": "2026-09-30"},
            {"amount": "5000000.00", "available_until": "2027-09-30"},
        ],
    )
    amount: NonNegativeMoney
    tranches: list[TrancheIn] = Field(min_length=1, max_length=10)


class TranchePublic(BaseModel):
    amount: Money
    available_until: date


class AvailabilityAdvance(BaseModel):
    model_config = with_example(
        available_from="2027-08-15",
        reason="State notified FY2028 funds apportioned early for the August PME classes",
    )
    available_from: date = Field(description="First day the funds may be obligated")
    reason: Reason


class AppropriationPublic(BaseModel):
    model_config = with_example(
        fiscal_year=2026,
        amount="110000000.00",
        allocated="98000000.00",
        unallocated="12000000.00",
        tranches=[{"amount": "110000000.00", "available_until": "2026-09-30"}],
        available_from="2025-10-01",
        availability_reason=None,
        availability_set_by=None,
        availability_set_at=None,
    )
    fiscal_year: FiscalYear
    amount: Money
    allocated: Money
    unallocated: Money
    tranches: list[TranchePublic]
    available_from: date = Field(
        description="First day the funds may be obligated (the fiscal year's first day unless "
        "advance availability was recorded)"
    )
    availability_reason: str | None = Field(None, description="Why availability was advanced")
    availability_set_by: str | None = None
    availability_set_at: datetime | None = None


class AppropriationPage(Page[AppropriationPublic]):
    pass


class AllocationCreate(BaseModel):
    model_config = with_example(
        country="GTM", fiscal_year=2026, amount="1450000.00", reason="FY2026 initial allocation"
    )
    country: CountryCode
    fiscal_year: FiscalYear
    amount: NonNegativeMoney
    reason: Reason = Field(
        "initial allocation",
        description="In your words: kept in the allocation's history, never published",
    )
    reason_code: AllocationReason = Field(
        "initial_allocation", description="Why, as a code: what `allocation_set` tells others"
    )


class AllocationUpdate(BaseModel):
    model_config = with_example(amount="1600000.00", reason="Reprogrammed from unused GHA ceiling")
    amount: NonNegativeMoney
    reason: Reason = Field(
        description="In your words: kept in the allocation's history, never published"
    )
    reason_code: AllocationReason = Field(
        "reprogramming", description="Why, as a code: what `allocation_changed` tells others"
    )


class AllocationPublic(BaseModel):
    model_config = with_example(
        id="6d3c1a8e-1f7a-4c38-9a40-2f1d1c9f6a10",
        country="GTM",
        fiscal_year=2026,
        amount="1450000.00",
        created_at="2025-10-02T14:00:00Z",
        updated_at="2025-10-02T14:00:00Z",
    )
    id: UUID
    country: CountryCode
    fiscal_year: FiscalYear
    amount: Money
    created_at: datetime
    updated_at: datetime


class AllocationPage(Page[AllocationPublic]):
    pass


class AllocationChangePublic(BaseModel):
    model_config = with_example(
        id=2,
        previous_amount="1450000.00",
        new_amount="1600000.00",
        reason="Reprogrammed from unused GHA ceiling",
        actor="funding-officer-mlopez",
        changed_at="2026-02-12T15:30:00Z",
    )
    id: int
    previous_amount: Money | None
    new_amount: Money
    reason: str
    actor: str
    changed_at: datetime


class AllocationChangePage(Page[AllocationChangePublic]):
    pass


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
