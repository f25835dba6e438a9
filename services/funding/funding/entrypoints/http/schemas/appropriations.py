"""Bodies of `/appropriations`: the fiscal year's appropriation, its tranches and when its
funds become available."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from funding.entrypoints.http.schemas.common import NonNegativeMoney, Reason, with_example
from shared.contracts.types import FiscalYear, Money
from shared.http.pagination import Page


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
