"""Regression: malformed import input is a row error or a 400 problem, never a 500; an
upload without a single row is a 422 problem and queues no job.

Found by the schemathesis run of tests/security: an English test taken in the future (or an
ECL score above 100) passed the row's own validation and then failed building the candidate's
test result (500); a CSV whose header line holds a bare carriage return raised `csv.Error`
while reading the header (500).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from nomination.adapters.tables import import_job
from services.nomination.tests.integration.support import BASE, TODAY, World
from services.nomination.tests.integration.test_countries_and_imports import row


@pytest.mark.parametrize(
    "english",
    [
        {"english_test_date": (TODAY + timedelta(days=30)).isoformat()},
        {"english_test": "ecl", "english_score": 110},
    ],
    ids=["taken in the future", "ECL above 100"],
)
async def test_an_import_row_with_an_impossible_english_test_is_rejected_with_a_reason(
    world: World, english: dict[str, object]
) -> None:
    await world.country("GTM")
    klass = await world.catalog()

    response = await world.client.post(
        f"{BASE}/imports", json={"rows": [row(klass, **english)]},
        headers={**world.as_("sco", "GTM"), "Prefer": "wait=20"},
    )  # fmt: skip

    assert response.status_code == 200
    line = response.json()["lines"][0]
    assert line["status"] == "rejected"
    assert "english test" in line["errors"][0]["message"]


async def test_a_csv_import_with_a_malformed_header_line_is_a_400_problem(world: World) -> None:
    response = await world.client.post(
        f"{BASE}/imports", content=b"family_names,given\rnames\n",
        headers={**world.as_("sco", "GTM"), "Content-Type": "text/csv"},
    )  # fmt: skip

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/import-unreadable")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"rows": []}'),
        ("text/csv", b"family_names,given_names,country,passport_number\r\n"),
        ("text/csv", b"family_names,given_names,country,passport_number\r\n\r\n\r\n"),
    ],
    ids=["JSON without rows", "CSV of its header only", "CSV of its header and blank lines"],
)
async def test_an_upload_without_a_single_row_is_a_422_problem_and_queues_no_job(
    world: World, content_type: str, body: bytes
) -> None:
    country = await world.fresh_country()  # no job of this country's scope exists

    response = await world.client.post(
        f"{BASE}/imports", content=body,
        headers={**world.as_("sco", country), "Content-Type": content_type, "Prefer": "wait=5"},
    )  # fmt: skip

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/import-empty")
    assert "no rows" in response.json()["detail"]
    assert "location" not in response.headers
    async with world.runtime.sessions() as session:
        jobs = await session.scalar(
            select(func.count()).select_from(import_job).where(import_job.c.scope == country)
        )
    assert jobs == 0
