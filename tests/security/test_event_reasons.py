"""A person's words given as a reason never reach a topic (ADR 0057).

Through the whole stack, every free-text reason field of the API is given a sentence naming a
person: a funding officer sets and reprograms an allocation, an SCO withdraws one nomination
and ends another's training early, an administrator cancels a third, a catalog manager
cancels the class. Then every record of every topic (payloads and headers) is read back: the
name is in none of them, the reason CODES are, and the words are still readable where they
belong - in the owning service's API.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from imet.stack import Stack
from shared.messaging.kafka import all_physical_topics
from tests.e2e.driver import CATALOG, FUNDING, NOMINATIONS, Driver
from tests.helpers.kafka import read_all
from tests.helpers.waiting import eventually
from tests.security.world import etag_of


async def _records(stack: Stack) -> list[tuple[str, bytes, list[tuple[str, bytes]]]]:
    found = []
    for topic in all_physical_topics(stack.options.topic_prefix):
        for record in await read_all(topic, servers=stack.bootstrap_servers):
            found.append((topic, record.value or b"", list(record.headers or ())))
    return found


async def _through_pipeline(driver: Driver, country: str, klass: dict[str, Any]) -> str:
    nomination = await driver.nominate(country, klass)
    await driver.wait_status(nomination["id"], country, "vetting")
    await driver.decide(nomination["id"], "approved")
    await driver.wait_status(nomination["id"], country, "ready_for_travel")
    return str(nomination["id"])


async def test_a_persons_name_given_as_a_reason_reaches_no_topic(
    stack: Stack, gateway: httpx.AsyncClient, e2e_token: Any
) -> None:
    driver = Driver(gateway, e2e_token)
    mark = uuid.uuid4().hex[:8].upper()
    name = f"Major Evangelina Thistlewood{mark}"
    country = await driver.country()
    klass = await driver.course_with_class(capacity=4, tuition="9000.00")
    fy = klass["fiscal_year"]
    await driver.appropriation(fy)
    allocation = await driver.call(
        "POST", f"{FUNDING}/allocations", "funding_officer",
        json={"country": country, "fiscal_year": fy, "amount": "500000.00",
              "reason": f"Agreed with {name} at the embassy", "reason_code": "initial_allocation"},
    )  # fmt: skip
    path = f"{FUNDING}/allocations/{allocation['id']}"
    await driver.call(
        "PATCH", path, "funding_officer",
        headers={"If-Match": await etag_of(driver, path, "funding_officer")},
        json={"amount": "600000.00", "reason": f"{name} asked for more",
              "reason_code": "correction"},
    )  # fmt: skip
    withdrawn, terminated, cancelled = [await _through_pipeline(driver, country, klass)
                                        for _ in range(3)]  # fmt: skip
    await driver.call(
        "POST", f"{NOMINATIONS}/{withdrawn}/withdraw", "sco", country,
        json={"reason": f"{name} was reassigned", "reason_code": "operational_needs"},
    )  # fmt: skip
    await driver.call("POST", f"{NOMINATIONS}/{terminated}/ito", "sco", country)
    await driver.call("POST", f"{NOMINATIONS}/{terminated}/start-training", "sco", country, json={})
    await driver.call(
        "POST", f"{NOMINATIONS}/{terminated}/terminate", "sco", country,
        json={"reason": f"{name} returned home on medical grounds", "days_attended": 1},
    )  # fmt: skip
    await driver.call(
        "POST", f"{NOMINATIONS}/{cancelled}/cancel", "admin",
        json={"reason": f"Requested by {name}"},
    )  # fmt: skip
    await driver.wait_compensated(withdrawn, country, "seat_release", "deobligation")
    await driver.wait_compensated(cancelled, country, "seat_release", "deobligation")
    class_path = f"{CATALOG}/classes/{klass['id']}"
    await driver.call(
        "POST", f"{class_path}/cancel", "catalog_manager",
        headers={"If-Match": await etag_of(driver, class_path, "catalog_manager")},
        json={"reason": f"{name} is unavailable", "reason_code": "instructor_unavailable"},
    )  # fmt: skip

    def class_cancelled(records: list[tuple[str, bytes, list[tuple[str, bytes]]]]) -> bool:
        return any(klass["id"].encode() in v and b"affected_nomination_ids" in v
                   for _, v, _ in records)  # fmt: skip

    records = await eventually(lambda: _records(stack), class_cancelled)
    leaks = [
        (topic, value[:300])
        for topic, value, headers in records
        if mark.encode() in value or any(mark.encode() in v for _, v in headers)
    ]
    payloads = b"\n".join(value for _, value, _ in records)
    kept_withdrawal = await driver.nomination(withdrawn, country)
    kept_class = await driver.call("GET", class_path, "catalog_manager")
    kept_changes = await driver.call("GET", f"{path}/changes", "funding_officer")

    assert leaks == []
    for code in (b'"reason":"operational_needs"', b'"reason":"instructor_unavailable"',
                 b'"reason":"initial_allocation"', b'"reason":"correction"',
                 b'"reason":"withdrawn"', b'"reason":"terminated"',
                 b'"reason":"administrative"'):  # fmt: skip
        assert code in payloads.replace(b" ", b""), code
    assert kept_withdrawal["status_reason"] == f"{name} was reassigned"
    assert kept_class["cancel_reason"] == f"{name} is unavailable"
    assert f"{name} asked for more" in {c["reason"] for c in kept_changes["items"]}
