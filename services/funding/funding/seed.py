"""Demo data for `make run` (idempotent): FY2026 and FY2027 appropriations, allocations for 25
countries, travel costs per country.

ALL AMOUNTS ARE ILLUSTRATIVE: shaped like the real program (about $110 million a year, funds
available until September 30 of the fiscal year plus a small extended tranche), not actual
allocations. The TLA matrix, parameters and penalty rules come with the migration.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from funding.adapters.unit_of_work import SqlFundingUnitOfWork
from funding.domain.allocation import TrancheSpec
from funding.domain.money import cents
from funding.service_layer.funds import set_allocation, set_appropriation
from funding.service_layer.reference_data import set_travel_cost
from shared.auth.principal import system_actor
from shared.runtime import ServiceRuntime

ACTOR = system_actor("funding-seed")

# fiscal year -> (tranche amount, available until)
APPROPRIATIONS = {
    2026: [
        (Decimal("108000000.00"), date(2026, 9, 30)),
        (Decimal("2000000.00"), date(2027, 9, 30)),
    ],
    2027: [
        (Decimal("110500000.00"), date(2027, 9, 30)),
        (Decimal("2000000.00"), date(2028, 9, 30)),
    ],
}
# country -> (FY2026 allocation, round-trip travel to the U.S.)
COUNTRIES = {
    "GTM": ("1450000.00", "1600.00"),
    "COL": ("1900000.00", "1900.00"),
    "PHL": ("2200000.00", "3900.00"),
    "VNM": ("1800000.00", "4100.00"),
    "KEN": ("1100000.00", "3600.00"),
    "GHA": ("950000.00", "3300.00"),
    "JOR": ("3800000.00", "3000.00"),
    "MNG": ("1300000.00", "4300.00"),
    "UKR": ("3200000.00", "2700.00"),
    "GEO": ("2400000.00", "2900.00"),
    "IDN": ("2600000.00", "4200.00"),
    "PER": ("900000.00", "2100.00"),
    "ECU": ("850000.00", "1900.00"),
    "HND": ("750000.00", "1500.00"),
    "SLV": ("800000.00", "1500.00"),
    "DOM": ("900000.00", "1400.00"),
    "MAR": ("1900000.00", "2600.00"),
    "TUN": ("2300000.00", "2700.00"),
    "SEN": ("700000.00", "2800.00"),
    "NGA": ("850000.00", "3200.00"),
    "BGD": ("1200000.00", "4000.00"),
    "NPL": ("600000.00", "4100.00"),
    "LKA": ("700000.00", "4000.00"),
    "THA": ("1600000.00", "3800.00"),
    "MEX": ("1500000.00", "1200.00"),
}
GROWTH_FY2027 = Decimal("1.03")


async def seed(runtime: ServiceRuntime[Any, SqlFundingUnitOfWork]) -> str:
    """Load the demo data that is missing (the launcher passes the funding runtime)."""

    def unit_of_work() -> SqlFundingUnitOfWork:
        return runtime.uow(ACTOR)

    added = {"appropriations": 0, "allocations": 0, "travel costs": 0}
    for fiscal_year, parts in APPROPRIATIONS.items():
        async with unit_of_work() as uow:
            if await uow.appropriations.get(fiscal_year) is None:
                specs = [TrancheSpec(amount, until) for amount, until in parts]
                total = sum((s.amount for s in specs), Decimal("0.00"))
                await set_appropriation(uow, fiscal_year, total, specs, None)
                added["appropriations"] += 1
        for country, (amount, _) in COUNTRIES.items():
            async with unit_of_work() as uow:
                if await uow.allocations.find(country, fiscal_year) is None:
                    reason = f"FY{fiscal_year} demo allocation (illustrative)"
                    await set_allocation(
                        uow, country, fiscal_year, _ceiling(amount, fiscal_year), reason
                    )
                    added["allocations"] += 1
    for country, (_, travel) in COUNTRIES.items():
        async with unit_of_work() as uow:
            if await uow.reference.travel_cost(country) is None:
                await set_travel_cost(
                    uow, country, Decimal(travel), "demo value (illustrative)", None
                )
                added["travel costs"] += 1
    return ", ".join(f"{n} {what}" for what, n in added.items()) + " added (illustrative amounts)"


def _ceiling(fy2026: str, fiscal_year: int) -> Decimal:
    growth = GROWTH_FY2027 ** (fiscal_year - 2026)
    return cents(Decimal(fy2026) * growth)
