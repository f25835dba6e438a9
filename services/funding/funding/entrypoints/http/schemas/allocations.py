"""Bodies of `/allocations`: a country's ceiling for a fiscal year and its history of changes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from funding.entrypoints.http.schemas.common import NonNegativeMoney, Reason, with_example
from shared.contracts.funding.v1 import AllocationReason
from shared.contracts.types import CountryCode, FiscalYear, Money
from shared.http.pagination import Page


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
