"""`/api/v1/funding/balances` (per country and fiscal year, with planning checks) and
`/api/v1/funding/consistency` (stored balances against the ledger)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query

from funding.adapters import queries
from funding.domain.errors import AllocationNotFound
from funding.entrypoints.authorization import BudgetReader, FundsReader, visible_country
from funding.entrypoints.http.deps import RuntimeDep, clock_of
from funding.entrypoints.http.schemas.balances import (
    BalancePage,
    BalancePublic,
    BalancesPublic,
    ConsistencyPublic,
    CountryConsistencyPublic,
    FiscalYearConsistencyPublic,
    TrancheConsistencyPublic,
    WarningPublic,
)
from shared.contracts.types import CountryCode
from shared.http.pagination import PageQuery

router = APIRouter(prefix="/api/v1/funding", tags=["balances"])
CountryQuery = Annotated[CountryCode | None, Query(description="ISO 3166-1 alpha-3")]
FiscalYearQuery = Annotated[int | None, Query(ge=1990, le=2100)]


def _public(b: queries.CountryBalance) -> BalancePublic:
    return BalancePublic(
        allocation_id=b.allocation_id,
        country=b.country,
        fiscal_year=b.fiscal_year,
        allocated=b.allocated,
        obligated=b.obligated,
        charged=b.charged,
        lapsed=b.lapsed,
        committed=b.committed,
        available=b.available,
        pme_committed=b.pme_committed,
        pme_share=b.pme_share,
        pme_minimum=b.pme_minimum,
        funds_available_until=b.funds_available_until,
        warnings=[WarningPublic(code=w.code, message=w.message) for w in b.warnings],
    )


@router.get("/balances/{country}/{fiscal_year}", response_model=BalancePublic)
async def get_balance(
    country: Annotated[CountryCode, Path()],
    fiscal_year: Annotated[int, Path(ge=1990, le=2100)],
    principal: FundsReader,
    runtime: RuntimeDep,
) -> BalancePublic:
    """A country's funding utilization for a fiscal year: allocated, obligated, charged, lapsed,
    available, and the planning checks (PME share of the ceiling vs the minimum, committed vs
    ceiling, funds still available) reported as warnings, not enforced. SCOs: own country."""
    if not principal.can_see_country(country):
        raise AllocationNotFound(f"{country} has no allocation for FY{fiscal_year}.")
    today = clock_of(runtime)().date()
    async with runtime.read_connection() as conn:  # one statement, no session (ADR 0155)
        found = await queries.get_balance(conn, country, fiscal_year, today)
    if found is None:
        raise AllocationNotFound(f"{country} has no allocation for FY{fiscal_year}.")
    return _public(found)


@router.get("/balances", response_model=BalancePage)
async def list_balances(
    principal: FundsReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: CountryQuery = None,
    fiscal_year: FiscalYearQuery = None,
) -> BalancePage:
    """Utilization and planning warnings of every allocation (the per-country funding report),
    newest fiscal year first, then by country. SCOs see their own country's."""
    country, possible = visible_country(principal, country)
    if not possible:
        return BalancePage(items=[], next_cursor=None)
    today = clock_of(runtime)().date()
    async with runtime.read_connection() as conn:  # one statement, no session (ADR 0155)
        found, next_cursor = await queries.list_balances(
            conn, page, country=country, fiscal_year=fiscal_year, today=today
        )
    return BalancePage(items=[_public(b) for b in found], next_cursor=next_cursor)


@router.get("/consistency", response_model=ConsistencyPublic)
async def check_ledger_consistency(
    principal: BudgetReader,
    runtime: RuntimeDep,
    country: CountryQuery = None,
    fiscal_year: FiscalYearQuery = None,
) -> ConsistencyPublic:
    """Prove the stored balances agree with the append-only ledger: per country and fiscal year
    the stored available / obligated / charged / lapsed against the balances derived from the
    ledger's postings, per fiscal year the appropriation, the unallocated amount and each
    tranche's drawn amount. `ok` is true only when everything agrees."""
    async with runtime.sessions() as session:
        report = await queries.check_consistency(session, fiscal_year=fiscal_year, country=country)
    return ConsistencyPublic(
        ok=report.ok,
        checked_at=clock_of(runtime)(),
        countries=[
            CountryConsistencyPublic(
                country=c.country,
                fiscal_year=c.fiscal_year,
                ok=c.ok,
                stored=BalancesPublic(**asdict(c.stored)),
                ledger=BalancesPublic(**asdict(c.ledger)),
            )
            for c in report.countries
        ],
        fiscal_years=[
            FiscalYearConsistencyPublic(
                fiscal_year=f.fiscal_year,
                stored_appropriation=f.stored_appropriation,
                ledger_appropriation=f.ledger_appropriation,
                stored_unallocated=f.stored_unallocated,
                ledger_unallocated=f.ledger_unallocated,
                ok=f.ok,
                tranches=[
                    TrancheConsistencyPublic(
                        tranche_id=i, available_until=d, stored_drawn=s, ledger_drawn=lg
                    )
                    for i, d, s, lg in f.tranches
                ],
            )
            for f in report.fiscal_years
        ],
    )
