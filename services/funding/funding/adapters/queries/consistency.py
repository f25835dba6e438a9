"""The consistency check: stored balances (allocations, appropriations, tranches) against the
balances derived from the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.repositories.ledger import LedgerRepository
from funding.adapters.tables import allocation, appropriation, tranche
from funding.domain.ledger import (
    CountryBalances,
    MoveTotal,
    account_balances,
    appropriated,
    country_balances,
    tranche_drawn,
    unallocated,
)
from funding.domain.money import ZERO


@dataclass(frozen=True)
class CountryConsistency:
    country: str
    fiscal_year: int
    stored: CountryBalances
    ledger: CountryBalances

    @property
    def ok(self) -> bool:
        return self.stored == self.ledger


@dataclass(frozen=True)
class FiscalYearConsistency:
    fiscal_year: int
    stored_appropriation: Decimal
    ledger_appropriation: Decimal
    stored_unallocated: Decimal
    ledger_unallocated: Decimal
    tranches: list[tuple[Any, date, Decimal, Decimal]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.stored_appropriation == self.ledger_appropriation
            and self.stored_unallocated == self.ledger_unallocated
            and all(stored == derived for _, _, stored, derived in self.tranches)
        )


@dataclass(frozen=True)
class ConsistencyReport:
    countries: list[CountryConsistency]
    fiscal_years: list[FiscalYearConsistency]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.countries) and all(f.ok for f in self.fiscal_years)


async def check_consistency(
    session: AsyncSession, *, fiscal_year: int | None, country: str | None
) -> ConsistencyReport:
    """Stored balances (allocations, appropriations, tranches) against the balances derived
    from the ledger, per country and fiscal year, and per fiscal year when no country is asked."""
    totals = await LedgerRepository(session).move_totals(fiscal_year=fiscal_year)
    balances = account_balances(totals)
    stmt = select(allocation).order_by(allocation.c.fiscal_year, allocation.c.country)
    if fiscal_year is not None:
        stmt = stmt.where(allocation.c.fiscal_year == fiscal_year)
    allocations = (await session.execute(stmt)).all()
    stored = {
        (r.fiscal_year, r.country): CountryBalances(
            r.amount - r.obligated - r.charged - r.lapsed, r.obligated, r.charged, r.lapsed
        )
        for r in allocations
    }
    # Ledger money of a country without an allocation row is an inconsistency too.
    keys = set(stored) | {(fy, c) for fy, c, _ in balances if c is not None}
    empty = CountryBalances(ZERO, ZERO, ZERO, ZERO)
    countries = [
        CountryConsistency(c, fy, stored.get((fy, c), empty), country_balances(balances, fy, c))
        for fy, c in sorted(keys)
        if country is None or c == country
    ]
    years = (
        []
        if country is not None
        else await _fiscal_years(session, fiscal_year, allocations, totals)
    )
    return ConsistencyReport(countries, years)


async def _fiscal_years(
    session: AsyncSession,
    fiscal_year: int | None,
    allocations: Sequence[Any],
    totals: list[MoveTotal],
) -> list[FiscalYearConsistency]:
    balances, drawn = account_balances(totals), tranche_drawn(totals)
    allocated: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in allocations:
        allocated[r.fiscal_year] += r.amount
    stmt = select(appropriation).order_by(appropriation.c.fiscal_year)
    parts = select(tranche).order_by(tranche.c.available_until)
    if fiscal_year is not None:
        stmt = stmt.where(appropriation.c.fiscal_year == fiscal_year)
        parts = parts.where(tranche.c.fiscal_year == fiscal_year)
    by_year: dict[int, list[Any]] = defaultdict(list)
    for t in (await session.execute(parts)).all():
        by_year[t.fiscal_year].append(t)
    return [
        FiscalYearConsistency(
            a.fiscal_year,
            a.amount,
            appropriated(balances, a.fiscal_year),
            a.amount - allocated[a.fiscal_year],
            unallocated(balances, a.fiscal_year),
            [
                (t.id, t.available_until, t.drawn, drawn.get(t.id, ZERO))
                for t in by_year[a.fiscal_year]
            ],
        )
        for a in (await session.execute(stmt)).all()
    ]
