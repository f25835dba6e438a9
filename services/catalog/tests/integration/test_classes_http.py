"""Classes over HTTP: scheduling rules, capacity changes, closing, cancelling, seat lists."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.catalog.tests.integration.builders import CatalogData, payloads
from tests.helpers.fixtures import auth

API = "/api/v1/catalog"


def class_body(masl_id: str, **overrides: Any) -> dict[str, Any]:
    start = datetime.now(UTC).date() + timedelta(days=90)
    body: dict[str, Any] = {
        "masl_id": masl_id,
        "start_date": str(start),
        "end_date": str(start + timedelta(days=60)),
        "report_date": str(start - timedelta(days=3)),
        "capacity": 10,
    }
    body.update(overrides)
    return body


async def etag_of(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> str:
    return (await client.get(url, headers=headers)).headers["ETag"]


async def test_a_manager_schedules_an_open_class_in_its_fiscal_year(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    course = await data.course(min_class_size=4, max_class_size=30)
    body = class_body(
        course.masl_id, start_date="2027-10-04", end_date="2027-12-10", report_date=None
    )

    created = await client.post(f"{API}/classes", json=body, headers=manager)

    assert created.status_code == 201
    offering = created.json()
    assert created.headers["Location"] == f"{API}/classes/{offering['id']}"
    assert (offering["status"], offering["fiscal_year"], offering["seats_available"]) == (
        "open",
        2028,
        10,
    )
    assert offering["report_date"] == "2027-10-01"
    scheduled = payloads(await data.outbox(offering["id"]), "class_scheduled")
    assert scheduled == [
        {
            "class_id": offering["id"],
            "masl_id": course.masl_id,
            "fiscal_year": 2028,
            "start_date": "2027-10-04",
            "end_date": "2027-12-10",
            "report_date": "2027-10-01",
            "capacity": 10,
            "status": "open",
            "seats_held": 0,
            "seats_confirmed": 0,
            "version": 1,
        }
    ]


async def test_a_class_must_have_consistent_dates_a_fitting_capacity_and_an_active_course(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    course = await data.course(min_class_size=4, max_class_size=30)
    retired = await data.course()
    url = f"{API}/courses/{retired.masl_id}"
    await client.delete(url, headers={**manager, "If-Match": await etag_of(client, url, manager)})
    past = str(datetime.now(UTC).date() - timedelta(days=1))

    answers = {
        "report after start": await client.post(
            f"{API}/classes",
            json=class_body(course.masl_id, report_date="2099-01-01"),
            headers=manager,
        ),
        "in the past": await client.post(
            f"{API}/classes",
            json=class_body(course.masl_id, start_date=past, report_date=past),
            headers=manager,
        ),
        "too big": await client.post(
            f"{API}/classes", json=class_body(course.masl_id, capacity=31), headers=manager
        ),
        "unknown course": await client.post(
            f"{API}/classes", json=class_body("Q000000"), headers=manager
        ),
        "retired course": await client.post(
            f"{API}/classes", json=class_body(retired.masl_id), headers=manager
        ),
        "unknown field": await client.post(
            f"{API}/classes", json=class_body(course.masl_id, seats=3), headers=manager
        ),
    }

    codes = {
        name: (a.status_code, a.json()["type"].rsplit("/", 1)[1]) for name, a in answers.items()
    }
    assert codes == {
        "report after start": (422, "invalid-class-schedule"),
        "in the past": (422, "invalid-class-schedule"),
        "too big": (422, "invalid-capacity"),
        "unknown course": (422, "unknown-course"),
        "retired course": (409, "course-inactive"),
        "unknown field": (422, "validation-error"),
    }
    listed = await client.get(f"{API}/classes", params={"masl_id": course.masl_id}, headers=manager)
    assert listed.json()["items"] == []


async def test_capacity_cannot_drop_below_occupied_seats_and_added_seats_go_to_the_waitlist(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    offering = await data.offering(capacity=2)
    holders = [await data.submit(offering) for _ in range(2)]
    waiting = [await data.submit(offering) for _ in range(2)]
    url = f"{API}/classes/{offering.id}"

    shrink = await client.patch(
        url,
        json={"capacity": 1},
        headers={**manager, "If-Match": await etag_of(client, url, manager)},
    )
    grow = await client.patch(
        url,
        json={"capacity": 3},
        headers={**manager, "If-Match": await etag_of(client, url, manager)},
    )

    assert shrink.status_code == 409
    assert shrink.json()["type"].endswith("/capacity-below-occupied-seats")
    assert grow.status_code == 200
    assert (grow.json()["seats_held"], grow.json()["seats_waitlisted"], grow.json()["status"]) == (
        3,
        1,
        "full",
    )
    seats = await data.seats(offering.id)
    assert [seats[n].status for n in holders + waiting] == ["held", "held", "held", "waitlisted"]
    assert seats[waiting[0]].promoted_from_waitlist is True
    assert seats[waiting[0]].backfills_nomination_id is None


async def test_a_closed_class_turns_new_nominations_away_until_it_reopens(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    offering = await data.offering(capacity=3)
    url = f"{API}/classes/{offering.id}"
    closed = await client.patch(
        url,
        json={"status": "closed"},
        headers={**manager, "If-Match": await etag_of(client, url, manager)},
    )

    refused = await data.submit(offering)
    reopened = await client.patch(
        url, json={"status": "open"}, headers={**manager, "If-Match": closed.headers["ETag"]}
    )
    accepted = await data.submit(offering)

    assert closed.json()["status"] == "closed"
    assert reopened.json()["status"] == "open"
    seats = await data.seats(offering.id)
    assert refused not in seats
    assert seats[accepted].status == "held"
    released = payloads(await data.outbox(offering.id), "seat_released")
    assert released == [
        {
            "class_id": str(offering.id),
            "masl_id": offering.masl_id,
            "nomination_id": str(refused),
            "reason": "class_cancelled",
            "was": "waitlisted",
        }
    ]


async def test_cancelling_a_class_releases_every_seat_and_tells_the_nominations(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    offering = await data.offering(capacity=2)
    nominations = [await data.submit(offering) for _ in range(3)]
    url = f"{API}/classes/{offering.id}"
    etag = await etag_of(client, url, manager)

    cancelled = await client.post(
        f"{url}/cancel",
        json={"reason": "Instructor shortage", "reason_code": "instructor_unavailable"},
        headers={**manager, "If-Match": etag},
    )
    again = await client.post(
        f"{url}/cancel",
        json={"reason": "again"},
        headers={**manager, "If-Match": cancelled.headers["ETag"]},
    )
    changed = await client.patch(
        url, json={"capacity": 5}, headers={**manager, "If-Match": cancelled.headers["ETag"]}
    )

    assert cancelled.status_code == 200
    assert (
        cancelled.json()["status"],
        cancelled.json()["seats_available"],
        cancelled.json()["seats_held"],
    ) == (
        "cancelled",
        0,
        0,
    )
    assert (again.status_code, changed.status_code) == (409, 409)
    events = await data.outbox(offering.id)
    released = payloads(events, "seat_released")
    assert {(r["nomination_id"], r["was"]) for r in released} == {
        (str(nominations[0]), "held"),
        (str(nominations[1]), "held"),
        (str(nominations[2]), "waitlisted"),
    }
    assert {r["reason"] for r in released} == {"class_cancelled"}
    notice = payloads(events, "class_cancelled")[0]
    assert sorted(notice["affected_nomination_ids"]) == sorted(map(str, nominations))
    # The event names the code; the manager's words stay on the class (ADR 0057).
    assert notice["reason"] == "instructor_unavailable"
    assert cancelled.json()["cancel_reason"] == "Instructor shortage"
    assert payloads(events, "class_changed")[-1]["status"] == "cancelled"
    assert [t for t, _ in events][-2:] == [
        "imet.catalog.class_cancelled.v1",
        "imet.catalog.class_changed.v1",
    ]
    assert {s.status for s in (await data.seats(offering.id)).values()} == {"released"}


async def test_seats_are_listed_with_waitlist_positions_for_managers_and_auditors_only(
    client: httpx.AsyncClient, manager: dict[str, str], token: Any, data: CatalogData
) -> None:
    offering = await data.offering(capacity=1)
    holder, first, second = [await data.submit(offering) for _ in range(3)]
    url = f"{API}/classes/{offering.id}/seats"

    by_auditor = await client.get(url, headers=auth(token("auditor")))
    waitlist = await client.get(url, params={"status": "waitlisted"}, headers=manager)
    by_sco = await client.get(url, headers=auth(token("sco", country="GTM")))
    unknown = await client.get(f"{API}/classes/{uuid.uuid4()}/seats", headers=manager)

    assert by_auditor.status_code == 200
    seats = {s["nomination_id"]: s for s in by_auditor.json()["items"]}
    assert seats[str(holder)]["status"] == "held"
    assert seats[str(holder)]["hold_expires_at"] is not None
    assert [(s["nomination_id"], s["waitlist_position"]) for s in waitlist.json()["items"]] == [
        (str(first), 1),
        (str(second), 2),
    ]
    assert by_sco.status_code == 403
    assert unknown.status_code == 404


async def test_classes_are_listed_by_start_date_with_filters(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    course = await data.course()
    later = await data.offering(masl_id=course.masl_id, capacity=1, start_in_days=200)
    sooner = await data.offering(masl_id=course.masl_id, capacity=2, start_in_days=100)
    await data.submit(later)

    everything = await client.get(
        f"{API}/classes", params={"masl_id": course.masl_id}, headers=manager
    )
    with_seats = await client.get(
        f"{API}/classes", params={"masl_id": course.masl_id, "has_seats": "true"}, headers=manager
    )
    full = await client.get(
        f"{API}/classes", params={"masl_id": course.masl_id, "status": "full"}, headers=manager
    )

    assert [c["id"] for c in everything.json()["items"]] == [str(sooner.id), str(later.id)]
    assert [c["id"] for c in with_seats.json()["items"]] == [str(sooner.id)]
    assert [c["id"] for c in full.json()["items"]] == [str(later.id)]
    assert everything.json()["items"][0]["course_title"] == course.title
