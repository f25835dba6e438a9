"""Response bodies of the funding API's read side: obligations, requests, balances, ledger,
consistency."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from funding.entrypoints.http.schemas import with_example
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
        "not available yet), obligated, rejected, duplicate, withdrawn"
    )
    reason: str | None
    obligation_id: UUID | None
    received_at: datetime
    decided_at: datetime | None


class FundingRequestPage(Page[FundingRequestPublic]):
    pass


class WarningPublic(BaseModel):
    code: str
    message: str


class BalancePublic(BaseModel):
    model_config = with_example(
        country="GTM",
        fiscal_year=2026,
        allocated="1450000.00",
        obligated="412000.00",
        charged="4900.00",
        lapsed="0.00",
        committed="416900.00",
        available="1033100.00",
        pme_committed="201000.00",
        pme_share="0.1386",
        pme_minimum="725000.00",
        funds_available_until="2026-09-30",
        warnings=[{"code": "pme_share_below_minimum", "message": "..."}],
    )
    allocation_id: UUID
    country: CountryCode
    fiscal_year: FiscalYear
    allocated: Money
    obligated: Money
    charged: Money
    lapsed: Money
    committed: Money = Field(description="obligated + charged")
    available: Money = Field(description="allocated - committed - lapsed: what new lines may use")
    pme_committed: Money
    pme_share: Decimal | None = Field(description="PME committed / ceiling (fraction)")
    pme_minimum: Money
    funds_available_until: date | None
    warnings: list[WarningPublic]


class BalancePage(Page[BalancePublic]):
    pass


class LedgerEntryPublic(BaseModel):
    id: UUID
    seq: int
    posted_at: datetime
    kind: str
    fiscal_year: FiscalYear
    country: CountryCode | None
    from_account: str
    to_account: str
    amount: Money
    tranche_id: UUID | None
    obligation_id: UUID | None
    nomination_id: UUID | None
    reason: str
    actor: str
    cause_event_id: str | None


class LedgerPage(Page[LedgerEntryPublic]):
    pass


class BalancesPublic(BaseModel):
    available: Money
    obligated: Money
    charged: Money
    lapsed: Money


class CountryConsistencyPublic(BaseModel):
    country: CountryCode
    fiscal_year: FiscalYear
    stored: BalancesPublic
    ledger: BalancesPublic
    ok: bool


class TrancheConsistencyPublic(BaseModel):
    tranche_id: UUID
    available_until: date
    stored_drawn: Money
    ledger_drawn: Money


class FiscalYearConsistencyPublic(BaseModel):
    fiscal_year: FiscalYear
    stored_appropriation: Money
    ledger_appropriation: Money
    stored_unallocated: Money
    ledger_unallocated: Money
    tranches: list[TrancheConsistencyPublic]
    ok: bool


class ConsistencyPublic(BaseModel):
    model_config = with_example(
        ok=True, checked_at="2026-02-01T10:00:00Z", countries=[], fiscal_years=[]
    )
    ok: bool
    checked_at: datetime
    countries: list[CountryConsistencyPublic]
    fiscal_years: list[FiscalYearConsistencyPublic]
