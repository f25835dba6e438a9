"""Workload and turnaround statistics: open, overdue, median working days to decision."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.helpers.fixtures import auth
from vetting.domain.calendar import add_working_days
from vetting.domain.decision import Result

from .support import decide_as, open_case_now, submitted, today, unique_country

STATISTICS = "/api/v1/vetting/statistics"


async def test_statistics_count_open_and_overdue_and_the_median_working_days_by_country(
    client: httpx.AsyncClient, runtime: Any, token: Any
) -> None:
    country = unique_country()
    opened_on = today() - timedelta(days=60)
    overdue = await open_case_now(runtime, submitted(country=country), on=opened_on)
    await open_case_now(runtime, submitted(country=country))
    fast = await open_case_now(runtime, submitted(country=country), on=opened_on)
    slow = await open_case_now(runtime, submitted(country=country), on=opened_on)
    await decide_as(
        runtime, fast.id, Result.APPROVED, "cleared", by="v1", on=add_working_days(opened_on, 2)
    )
    await decide_as(
        runtime,
        slow.id,
        Result.DENIED,
        "derogatory_information",
        by="v1",
        on=add_working_days(opened_on, 12),
    )

    response = await client.get(
        STATISTICS, params={"country": country}, headers=auth(token("auditor"))
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["open"], body["overdue"], body["median_working_days_to_decision"]) == (2, 1, 7.0)
    assert body["by_country"] == [
        {
            "country": country,
            "open": 2,
            "pending_confirmation": 0,
            "suspended": 0,
            "overdue": 1,
            "decisions_counted": 2,
            "median_working_days_to_decision": 7.0,
        }
    ]
    listed = await client.get(
        "/api/v1/vetting/cases",
        params={"country": country, "overdue": "true"},
        headers=auth(token("vetter")),
    )
    assert [i["case_id"] for i in listed.json()["items"]] == [str(overdue.id)]


async def test_automatic_results_are_not_counted_as_vetting_work(
    client: httpx.AsyncClient, runtime: Any, token: Any
) -> None:
    country = unique_country()
    event = submitted(country=country)
    first = await open_case_now(runtime, event)
    await decide_as(runtime, first.id, Result.APPROVED, "cleared", by="v1")
    reused = await open_case_now(
        runtime,
        submitted(country=country, candidate_id=event.candidate_id, unit_name=event.unit_name),
    )

    body = (
        await client.get(STATISTICS, params={"country": country}, headers=auth(token("vetter")))
    ).json()

    assert reused.status.value == "approved"
    assert body["by_country"][0]["decisions_counted"] == 1


async def test_statistics_are_not_for_scos(client: httpx.AsyncClient, token: Any) -> None:
    response = await client.get(STATISTICS, headers=auth(token("sco", country="GTM")))

    assert response.status_code == 403
