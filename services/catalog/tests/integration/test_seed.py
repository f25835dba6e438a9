"""`make run` loads the demo catalog once; loading it again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from catalog.seed import seed
from catalog.seed_data import courses
from shared.contracts.types import fiscal_year_of
from tests.helpers.infra import WorkerDatabase

API = "/api/v1/catalog"


async def test_the_demo_catalog_loads_once_and_is_current(
    platform_ready: WorkerDatabase,
    client: httpx.AsyncClient,
    manager: dict[str, str],
    make_runtime: Any,
) -> None:
    fiscal_year = fiscal_year_of(datetime.now(UTC).date())
    runtime = await make_runtime("catalog")

    first = await seed(runtime)
    second = await seed(runtime)
    dlielc = (await client.get(f"{API}/courses/D177014", headers=manager)).json()
    this_year = await client.get(
        f"{API}/classes", params={"masl_id": "D177014", "fiscal_year": fiscal_year}, headers=manager
    )
    next_year = await client.get(
        f"{API}/classes",
        params={"masl_id": "D177014", "fiscal_year": fiscal_year + 1},
        headers=manager,
    )
    nps = await client.get(
        f"{API}/courses", params={"q": "Naval Postgraduate", "limit": 200}, headers=manager
    )

    assert f"{len(courses())} courses in the demo set" in first
    assert second.startswith("0 institutions, 0 courses, 0 classes added")
    assert dlielc["title"] == "DLIELC PME Preparation"
    assert "demo: true" in dlielc["description"]
    assert [t["fiscal_year"] for t in dlielc["tuition"]] == [fiscal_year, fiscal_year + 1]
    assert this_year.json()["items"]
    assert next_year.json()["items"]
    toefl = {
        c["english_requirement"]["min_score"]
        for c in nps.json()["items"]
        if c["english_requirement"] and c["english_requirement"]["test"] == "toefl_ibt"
    }
    assert toefl == {83, 90}
