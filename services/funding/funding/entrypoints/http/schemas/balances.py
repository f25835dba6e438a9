"""Bodies of `/balances` (per country and fiscal year, with planning warnings) and
`/consistency` (stored balances against the ledger)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from funding.entrypoints.http.schemas.common import with_example
from shared.contracts.types import CountryCode, FiscalYear, Money
from shared.http.pagination import Page


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
