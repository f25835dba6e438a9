"""The class list is cached with its seat counts and is never older than the database
(ADR 0155): any change of a class row - a seat held by a reaction, a capacity edited through
another process - is read at once by a process whose cache was warm; a seat change leaves the
cached course reads alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from catalog.adapters.read_cache import ReadCache
from services.catalog.tests.integration.builders import CatalogData

API = "/api/v1/catalog"
ServiceClient = Callable[[str], Awaitable[httpx.AsyncClient]]


def _cache(client: httpx.AsyncClient) -> ReadCache:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    cache: ReadCache = transport.app.state.runtime.state["read_cache"]  # type: ignore[attr-defined]
    return cache


async def _warm(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    """Read twice: the second answer comes from the cache (asserted)."""
    await client.get(url, headers=headers)
    hits = _cache(client).hits
    again = await client.get(url, headers=headers)
    assert again.status_code == 200
    assert _cache(client).hits == hits + 1
    return again


async def test_a_seat_held_by_a_reaction_is_seen_by_the_next_class_list_of_a_warm_cache(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    offering = await data.offering(capacity=1)
    free = f"{API}/classes?masl_id={offering.masl_id}&has_seats=true"
    every = f"{API}/classes?masl_id={offering.masl_id}"
    assert [c["id"] for c in (await _warm(client, free, manager)).json()["items"]] == [
        str(offering.id)
    ]
    assert (await _warm(client, every, manager)).json()["items"][0]["seats_held"] == 0

    await data.submit(offering)  # a third runtime, as the seat-request reaction would
    still_free = await client.get(free, headers=manager)
    listed = await client.get(every, headers=manager)

    assert still_free.json()["items"] == []
    assert listed.json()["items"][0]["seats_held"] == 1
    assert listed.json()["items"][0]["seats_available"] == 0


async def test_a_class_edited_through_one_process_is_listed_at_once_by_another(
    service_client: ServiceClient, manager: dict[str, str], data: CatalogData
) -> None:
    writer, reader = await service_client("catalog"), await service_client("catalog")
    offering = await data.offering(capacity=3)
    url = f"{API}/classes?masl_id={offering.masl_id}"
    await _warm(reader, url, manager)
    etag = (await writer.get(f"{API}/classes/{offering.id}", headers=manager)).headers["ETag"]

    changed = await writer.patch(
        f"{API}/classes/{offering.id}",
        json={"capacity": 5},
        headers={**manager, "If-Match": etag},
    )
    listed = await reader.get(url, headers=manager)

    assert changed.status_code == 200
    assert listed.json()["items"][0]["capacity"] == 5
    assert listed.json()["items"][0]["seats_available"] == 5


async def test_a_class_list_answers_304_until_a_seat_changes(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    offering = await data.offering(capacity=2)
    url = f"{API}/classes?masl_id={offering.masl_id}"
    first = await client.get(url, headers=manager)
    unchanged = await client.get(url, headers={**manager, "If-None-Match": first.headers["ETag"]})

    await data.submit(offering)
    changed = await client.get(url, headers={**manager, "If-None-Match": first.headers["ETag"]})

    assert first.headers["ETag"].startswith('W/"')
    assert unchanged.status_code == 304
    assert changed.status_code == 200
    assert changed.json()["items"][0]["seats_held"] == 1


async def test_a_seat_change_keeps_the_cached_course_reads(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    offering = await data.offering(capacity=2)
    detail = f"{API}/courses/{offering.masl_id}"
    await _warm(client, detail, manager)
    await _warm(client, f"{API}/classes?masl_id={offering.masl_id}", manager)

    await data.submit(offering)
    hits = _cache(client).hits
    again = await client.get(detail, headers=manager)
    listed = await client.get(f"{API}/classes?masl_id={offering.masl_id}", headers=manager)

    assert again.status_code == 200
    assert _cache(client).hits == hits + 1  # the course answer, not the class list
    assert listed.json()["items"][0]["seats_held"] == 1
