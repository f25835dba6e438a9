"""The demo data loads once: a second run adds nothing, and its books are consistent."""

from __future__ import annotations

from typing import Any

from funding.adapters.queries import check_consistency
from funding.seed import COUNTRIES, seed
from tests.helpers.infra import WorkerDatabase


async def test_the_demo_data_loads_once_and_balances(
    platform_ready: WorkerDatabase, make_runtime: Any
) -> None:
    runtime = await make_runtime("funding")

    first = await seed(runtime)
    second = await seed(runtime)
    async with runtime.sessions() as s:
        report = await check_consistency(s, fiscal_year=2026, country=None)
    assert first.startswith(
        f"2 appropriations, {2 * len(COUNTRIES)} allocations, {len(COUNTRIES)} travel costs"
    )
    assert second.startswith("0 appropriations, 0 allocations, 0 travel costs")
    assert report.ok
    assert len(report.countries) == len(COUNTRIES)
