"""Bodies of `/obligations` and `/requests`: obligated lines and the funding requests behind
them."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from funding.entrypoints.http.schemas.common import with_example
from shared.contracts.types import CountryCode, FiscalYear, MaslId, Money
from shared.http.pagination import Page


class ObligationPublic(BaseModel):
    model_config = with_example(
        id="0b8e6c52-5f7e-4b7a-8d0a-8f1f0b9f3a21",
        nomination_id="a2f1...",
        country="GTM",
        fiscal_year=2026,
        class_id="c1d2...",
        masl_id="D177014",
        course_category="english_language",
        dedicated=True,
        status="active",
        amount="18412.00",
        tuition="9800.00",
        travel="2400.00",
        living_allowance="6212.00",
        outstanding="18412.00",
        penalty_amount="0.00",
        penalty_rule=None,
        returned_amount="0.00",
        lapsed_amount="0.00",
        course_days=76,
        obligated_on="2026-01-12",
        closed_on=None,
    )
    id: UUID
    nomination_id: UUID
    request_id: UUID
    country: CountryCode
    fiscal_year: FiscalYear
    class_id: UUID
    masl_id: MaslId
    course_category: str
    dedicated: bool
    funding_source: str
    status: str
    amount: Money
    tuition: Money
    travel: Money
    living_allowance: Money
    outstanding: Money = Field(description="Still obligated (including a charge)")
    penalty_amount: Money = Field(description="Charged and kept obligated")
    penalty_rule: str | None
    returned_amount: Money = Field(description="Given back to the allocation")
    lapsed_amount: Money = Field(description="Released after the funds expired")
    class_start_date: date
    course_days: int
    obligated_on: date
    closed_on: date | None
    close_reason: str | None


class ObligationPage(Page[ObligationPublic]):
    pass


class FundingRequestPublic(BaseModel):
    request_id: UUID
    nomination_id: UUID
    country: CountryCode
    fiscal_year: FiscalYear
    class_id: UUID
    masl_id: MaslId
    funding_source: str
    with_dependents: bool
    status: str = Field(
        description="pending_reference_data, pending_availability (the fiscal year's funds are "
        "not available yet), pending_program_exception (outside the country's approved program: "
        "a funding officer's exception decides it), obligated, rejected, duplicate, withdrawn"
    )
    reason: str | None
    obligation_id: UUID | None
    received_at: datetime
    decided_at: datetime | None


class FundingRequestPage(Page[FundingRequestPublic]):
    pass
