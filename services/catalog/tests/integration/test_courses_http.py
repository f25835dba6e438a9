"""Institutions and courses over HTTP: roles, validation, ETags, search, published events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from catalog.domain.course import add_years
from services.catalog.tests.integration.builders import CatalogData, payloads, random_masl
from tests.helpers.fixtures import auth

API = "/api/v1/catalog"


def course_body(institution_id: uuid.UUID | str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "masl_id": random_masl("D"),
        "title": "Patrol Craft Officer - Riverine",
        "institution_id": str(institution_id),
        "category": "technical",
        "duration_weeks": "11",
        "english_requirement": {"test": "ecl", "min_score": 65},
        "dedicated_international": True,
        "min_class_size": 6,
        "max_class_size": 24,
        "tuition": [{"fiscal_year": 2027, "amount": "19400.00"}],
    }
    body.update(overrides)
    return body


async def test_a_manager_adds_a_course_that_everyone_can_read(
    client: httpx.AsyncClient, manager: dict[str, str], token: Any, data: CatalogData
) -> None:
    school = await data.institution(government_quarters=True, government_mess=True)
    body = course_body(school.id)

    created = await client.post(f"{API}/courses", json=body, headers=manager)
    read = await client.get(
        f"{API}/courses/{body['masl_id']}", headers=auth(token("sco", country="GTM"))
    )

    assert created.status_code == 201
    assert created.headers["Location"] == f"{API}/courses/{body['masl_id']}"
    assert created.headers["ETag"] == read.headers["ETag"]
    course = read.json()
    assert course["implementing_agency"] == "air_force"
    assert course["institution"]["government_mess"] is True
    assert course["tuition"] == [{"fiscal_year": 2027, "amount": "19400.00"}]
    assert course["english_requirement"] == {"test": "ecl", "min_score": 65}
    published = payloads(await data.outbox(body["masl_id"]), "course_published")
    assert published[0]["institution"]["institution_id"] == str(school.id)
    assert published[0]["version"] == 1


async def test_only_catalog_managers_and_admins_change_the_catalog(
    client: httpx.AsyncClient, token: Any, data: CatalogData
) -> None:
    school = await data.institution()

    by_sco = await client.post(
        f"{API}/courses", json=course_body(school.id), headers=auth(token("sco", country="GTM"))
    )
    by_admin = await client.post(
        f"{API}/courses", json=course_body(school.id), headers=auth(token("admin"))
    )
    anonymous = await client.get(f"{API}/courses")

    assert by_sco.status_code == 403
    assert by_sco.headers["content-type"] == "application/problem+json"
    assert by_admin.status_code == 201
    assert anonymous.status_code == 401


async def test_a_malformed_masl_number_is_refused_clearly_and_nothing_is_stored(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    school = await data.institution()

    in_body = await client.post(
        f"{API}/courses", json=course_body(school.id, masl_id="d177014"), headers=manager
    )
    in_path = await client.get(f"{API}/courses/A1234567", headers=manager)
    listed = await client.get(
        f"{API}/courses", params={"institution_id": str(school.id)}, headers=manager
    )

    assert in_body.status_code == 422
    assert in_body.json()["errors"][0]["field"] == "body.masl_id"
    assert "B Army, D Air Force" in in_body.json()["errors"][0]["message"]
    assert in_path.status_code == 422
    assert in_path.json()["type"].endswith("/invalid-masl-number")
    assert listed.json()["items"] == []


async def test_inconsistent_course_facts_are_refused_with_422_and_duplicates_with_409(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    school = await data.institution()
    body = course_body(school.id)
    await client.post(f"{API}/courses", json=body, headers=manager)

    sizes = await client.post(
        f"{API}/courses",
        json=course_body(school.id, min_class_size=30, max_class_size=10),
        headers=manager,
    )
    ecl = await client.post(
        f"{API}/courses",
        json=course_body(school.id, english_requirement={"test": "ecl", "min_score": 110}),
        headers=manager,
    )
    unknown = await client.post(f"{API}/courses", json=course_body(uuid.uuid4()), headers=manager)
    again = await client.post(f"{API}/courses", json=body, headers=manager)
    money = await client.post(
        f"{API}/courses",
        json=course_body(school.id, tuition=[{"fiscal_year": 2027, "amount": "1.005"}]),
        headers=manager,
    )

    assert (sizes.status_code, sizes.json()["type"].rsplit("/", 1)[1]) == (422, "invalid-course")
    assert (ecl.status_code, ecl.json()["type"].rsplit("/", 1)[1]) == (422, "invalid-course")
    assert (unknown.status_code, unknown.json()["type"].rsplit("/", 1)[1]) == (
        422,
        "unknown-institution",
    )
    assert (again.status_code, again.json()["type"].rsplit("/", 1)[1]) == (409, "course-exists")
    assert money.status_code == 422


async def test_an_update_needs_the_current_etag(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    course = await data.course()
    url = f"{API}/courses/{course.masl_id}"
    etag = (await client.get(url, headers=manager)).headers["ETag"]
    change = {"title": "Renamed", "tuition": [{"fiscal_year": 2028, "amount": "12500.00"}]}

    missing = await client.patch(url, json=change, headers=manager)
    updated = await client.patch(url, json=change, headers={**manager, "If-Match": etag})
    stale = await client.patch(url, json={"title": "Again"}, headers={**manager, "If-Match": etag})
    nulled = await client.patch(
        url, json={"title": None}, headers={**manager, "If-Match": updated.headers["ETag"]}
    )

    assert missing.status_code == 428
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    assert [t["fiscal_year"] for t in updated.json()["tuition"]] == [2027, 2028]
    assert stale.status_code == 412
    assert nulled.status_code == 422
    changed = payloads(await data.outbox(course.masl_id), "course_changed")
    assert [c["title"] for c in changed] == ["Renamed"]


async def test_changing_an_institution_republishes_its_courses(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    school = await data.institution(government_mess=False)
    first, second = await data.course(school.id), await data.course(school.id)
    url = f"{API}/institutions/{school.id}"
    etag = (await client.get(url, headers=manager)).headers["ETag"]

    changed = await client.patch(
        url, json={"government_mess": True}, headers={**manager, "If-Match": etag}
    )
    deleted = await client.delete(url, headers={**manager, "If-Match": changed.headers["ETag"]})

    assert changed.status_code == 200
    for course in (first, second):
        republished = payloads(await data.outbox(course.masl_id), "course_changed")
        assert republished[-1]["institution"]["government_mess"] is True
        assert republished[-1]["version"] == 2
    assert deleted.status_code == 409


async def test_retiring_a_course_keeps_it_readable_but_out_of_the_default_search(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    school = await data.institution()
    course = await data.course(school.id)
    url = f"{API}/courses/{course.masl_id}"
    etag = (await client.get(url, headers=manager)).headers["ETag"]

    retired = await client.delete(url, headers={**manager, "If-Match": etag})
    default = await client.get(
        f"{API}/courses", params={"institution_id": str(school.id)}, headers=manager
    )
    everything = await client.get(
        f"{API}/courses",
        params={"institution_id": str(school.id), "include_inactive": "true"},
        headers=manager,
    )

    assert retired.status_code == 200
    assert retired.json()["active"] is False
    assert default.json()["items"] == []
    assert [c["masl_id"] for c in everything.json()["items"]] == [course.masl_id]


async def test_courses_are_searched_by_text_category_english_eimet_and_class_dates(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    school = await data.institution()
    today = datetime.now(UTC).date()
    marker = uuid.uuid4().hex[:8]
    pme = await data.course(
        school.id,
        title=f"Staff College {marker}",
        category="pme",
        eimet_certified_on=today - timedelta(days=365),
    )
    lapsed = await data.course(
        school.id,
        title=f"Old Course {marker}",
        eimet_certified_on=add_years(today, -6),
    )
    due = await data.course(
        school.id,
        title=f"Renewal {marker}",
        eimet_certified_on=add_years(today, -5) + timedelta(days=30),
    )
    toefl = await data.course(school.id, english_requirement=None, title=f"Graduate {marker}")
    await data.offering(masl_id=toefl.masl_id, start_in_days=200)
    scope = {"institution_id": str(school.id)}

    async def masl_ids(**params: Any) -> list[str]:
        found = await client.get(f"{API}/courses", params={**scope, **params}, headers=manager)
        assert found.status_code == 200, found.text
        return [c["masl_id"] for c in found.json()["items"]]

    assert await masl_ids(q=f"staff college {marker}") == [pme.masl_id]
    assert await masl_ids(category="pme") == [pme.masl_id]
    assert await masl_ids(ecl=60) == [toefl.masl_id]
    assert sorted(await masl_ids(ecl=70)) == sorted(
        [pme.masl_id, lapsed.masl_id, due.masl_id, toefl.masl_id]
    )
    assert await masl_ids(eimet="lapsed") == [lapsed.masl_id]
    assert sorted(await masl_ids(eimet="current")) == sorted([pme.masl_id, due.masl_id])
    assert await masl_ids(eimet="recertification_due") == [due.masl_id]
    assert await masl_ids(eimet="none") == [toefl.masl_id]
    window = {
        "starts_from": str(today + timedelta(days=190)),
        "starts_to": str(today + timedelta(days=210)),
    }
    assert await masl_ids(**window) == [toefl.masl_id]
    flags = (await client.get(f"{API}/courses/{lapsed.masl_id}", headers=manager)).json()
    assert flags["eimet_certification_lapsed"] is True


async def test_the_course_list_pages_with_a_cursor(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    school = await data.institution()
    made = sorted([(await data.course(school.id)).masl_id for _ in range(5)])
    params = {"institution_id": str(school.id), "limit": "2"}

    pages, cursor = [], None
    while True:
        answer = await client.get(
            f"{API}/courses",
            params={**params, **({"cursor": cursor} if cursor else {})},
            headers=manager,
        )
        pages.append([c["masl_id"] for c in answer.json()["items"]])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break
    forged = await client.get(
        f"{API}/courses", params={**params, "cursor": "not-a-cursor"}, headers=manager
    )

    assert pages == [made[0:2], made[2:4], made[4:5]]
    assert forged.status_code == 400
