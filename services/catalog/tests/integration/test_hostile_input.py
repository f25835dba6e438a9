"""Bad input gets a 4xx problem document and changes nothing - never a 500."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.catalog.tests.integration.builders import CatalogData

API = "/api/v1/catalog"
NUL = "a\x00b"


def _cases(school: str, masl: str, class_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    course = {
        "masl_id": "D000001",
        "title": "T",
        "institution_id": school,
        "category": "pme",
        "duration_weeks": "4",
        "dedicated_international": False,
        "min_class_size": 1,
        "max_class_size": 5,
    }
    offering = {
        "masl_id": masl,
        "start_date": "2099-01-10",
        "end_date": "2099-02-10",
        "capacity": 3,
    }
    return [
        (
            "POST",
            "/institutions",
            {"json": {"name": NUL, "location": "x", "implementing_agency": "army"}},
        ),
        (
            "POST",
            "/institutions",
            {"json": {"name": "x" * 201, "location": "x", "implementing_agency": "army"}},
        ),
        ("POST", "/institutions", {"json": [1, 2, 3]}),
        (
            "POST",
            "/institutions",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("POST", "/courses", {"json": {**course, "title": NUL}}),
        ("POST", "/courses", {"json": {**course, "description": NUL}}),
        ("POST", "/courses", {"json": {**course, "eimet_certified_on": "9999-12-31"}}),
        ("POST", "/courses", {"json": {**course, "eimet_certified_on": "2099-01-01"}}),
        ("POST", "/courses", {"json": {**course, "duration_weeks": "NaN"}}),
        ("POST", "/courses", {"json": {**course, "duration_weeks": "Infinity"}}),
        ("POST", "/courses", {"json": {**course, "max_class_size": 10**30}}),
        (
            "POST",
            "/courses",
            {"json": {**course, "tuition": [{"fiscal_year": 2027, "amount": "1e20"}]}},
        ),
        (
            "POST",
            "/courses",
            {"json": {**course, "tuition": [{"fiscal_year": 2027, "amount": "-5"}]}},
        ),
        (
            "POST",
            "/courses",
            {"json": {**course, "tuition": [{"fiscal_year": 2027, "amount": "5"}] * 2}},
        ),
        ("POST", "/courses", {"json": {**course, "institution_id": "not-a-uuid"}}),
        (
            "POST",
            "/classes",
            {"json": {**offering, "start_date": "0001-01-01", "report_date": None}},
        ),
        (
            "POST",
            "/classes",
            {"json": {**offering, "start_date": "9999-12-31", "end_date": "9999-12-31"}},
        ),
        ("POST", "/classes", {"json": {**offering, "start_date": "2099-02-30"}}),
        ("POST", "/classes", {"json": {**offering, "capacity": -1}}),
        ("POST", "/classes", {"json": {**offering, "masl_id": NUL}}),
        ("PATCH", f"/classes/{class_id}", {"json": {"capacity": 2}, "headers": {"If-Match": "5"}}),
        ("PATCH", f"/classes/{class_id}", {"json": {}, "headers": {"If-Match": "*"}}),
        (
            "PATCH",
            f"/classes/{class_id}",
            {"json": {"status": "cancelled"}, "headers": {"If-Match": "*"}},
        ),
        (
            "POST",
            f"/classes/{class_id}/cancel",
            {"json": {"reason": NUL}, "headers": {"If-Match": "*"}},
        ),
        ("PATCH", f"/courses/{masl}", {"json": {"title": None}, "headers": {"If-Match": "*"}}),
        (
            "PATCH",
            f"/courses/{masl}",
            {
                "json": {"english_requirement": {"test": "ecl", "min_score": 101}},
                "headers": {"If-Match": "*"},
            },
        ),
        ("GET", "/courses", {"params": {"q": NUL}}),
        ("GET", "/courses", {"params": {"ecl": "101"}}),
        ("GET", "/courses", {"params": {"starts_from": "yesterday"}}),
        ("GET", "/courses", {"params": {"fiscal_year": "99999"}}),
        ("GET", "/courses", {"params": {"limit": "0"}}),
        ("GET", "/courses", {"params": {"cursor": "x" * 3000}}),
        ("GET", "/institutions", {"params": {"q": NUL}}),
        ("GET", "/classes", {"params": {"masl_id": "X1"}}),
        ("GET", "/classes/not-a-uuid", {}),
        ("GET", "/courses/a%00b", {}),
        ("GET", "/courses/D1770145", {}),
    ]


async def test_hostile_input_is_refused_with_a_problem_and_nothing_changes(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    school = await data.institution()
    course = await data.course(school.id, min_class_size=1, max_class_size=5)
    offering = await data.offering(capacity=3, masl_id=course.masl_id)
    before = await data.outbox(offering.id), await data.outbox(course.masl_id)

    answers = []
    for method, path, request in _cases(str(school.id), course.masl_id, str(offering.id)):
        headers = {**manager, **request.pop("headers", {})}
        answer = await client.request(method, f"{API}{path}", headers=headers, **request)
        answers.append((method, path, answer.status_code, answer.headers.get("content-type")))

    refused = [
        (m, p, status)
        for m, p, status, kind in answers
        if 400 <= status < 500 and kind == "application/problem+json"
    ]
    assert [a for a in answers if (a[0], a[1], a[2]) not in refused] == []
    assert (await data.outbox(offering.id), await data.outbox(course.masl_id)) == before
    listed = await client.get(
        f"{API}/courses", params={"institution_id": str(school.id)}, headers=manager
    )
    assert [c["masl_id"] for c in listed.json()["items"]] == [course.masl_id]


@pytest.mark.parametrize("key_reused_with_another_body", [False, True])
async def test_a_retried_post_with_the_same_idempotency_key_schedules_one_class(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    data: CatalogData,
    key_reused_with_another_body: bool,
) -> None:
    course = await data.course(min_class_size=1, max_class_size=30)
    headers = {**manager, "Idempotency-Key": f"schedule-{uuid.uuid4()}"}
    body = {
        "masl_id": course.masl_id,
        "start_date": "2099-01-10",
        "end_date": "2099-02-10",
        "capacity": 12,
    }

    first = await client.post(f"{API}/classes", json=body, headers=headers)
    retry = await client.post(
        f"{API}/classes",
        json={**body, "capacity": 13} if key_reused_with_another_body else body,
        headers=headers,
    )

    listed = await client.get(f"{API}/classes", params={"masl_id": course.masl_id}, headers=manager)
    assert first.status_code == 201
    assert len(listed.json()["items"]) == 1
    if key_reused_with_another_body:
        assert retry.status_code == 422
    else:
        assert (retry.status_code, retry.json()["id"]) == (201, first.json()["id"])
        assert retry.headers["Idempotent-Replayed"] == "true"
