"""The course read cache never answers older data than the database (ADR 0120).

Two catalog apps stand for two processes: each has its own runtime (engine, connections) and its
own read cache. A write through one - or through a third runtime, as a consumer's reaction
would - is seen by the very next read of the other, whose cache was warm with the old answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy import text

from catalog.adapters.read_cache import ReadCache
from services.catalog.tests.integration.builders import ACTOR, CatalogData, random_masl

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


async def test_a_write_in_one_process_is_read_at_once_by_another_with_a_warm_cache(
    service_client: ServiceClient, manager: dict[str, str], data: CatalogData
) -> None:
    writer, reader = await service_client("catalog"), await service_client("catalog")
    course = await data.course(title="Riverine Patrol Craft Officer")
    detail = f"{API}/courses/{course.masl_id}"
    search = f"{API}/courses?q=Riverine&limit=200"
    old = await _warm(reader, detail, manager)
    await _warm(reader, search, manager)
    etag = (await writer.get(detail, headers=manager)).headers["ETag"]

    changed = await writer.patch(
        detail,
        json={"title": "Estuarine Patrol Craft Officer", "tuition": [
            {"fiscal_year": 2027, "amount": "15000.00"}]},
        headers={**manager, "If-Match": etag},
    )  # fmt: skip
    read = await reader.get(detail, headers=manager)
    found = await reader.get(search, headers=manager)
    renamed = await reader.get(f"{API}/courses?q=Estuarine&limit=200", headers=manager)

    assert changed.status_code == 200
    assert read.json()["title"] == "Estuarine Patrol Craft Officer"
    assert read.json()["tuition"] == [{"fiscal_year": 2027, "amount": "15000.00"}]
    assert read.headers["ETag"] == changed.headers["ETag"] != old.headers["ETag"]
    assert course.masl_id not in [c["masl_id"] for c in found.json()["items"]]
    assert course.masl_id in [c["masl_id"] for c in renamed.json()["items"]]


async def test_a_change_made_outside_http_is_seen_by_every_cache(
    service_client: ServiceClient, manager: dict[str, str], data: CatalogData
) -> None:
    first, second = await service_client("catalog"), await service_client("catalog")
    school = await data.institution(government_mess=False)
    course = await data.course(school.id)
    detail = f"{API}/courses/{course.masl_id}"
    for client in (first, second):
        assert (await _warm(client, detail, manager)).json()["institution"][
            "government_mess"
        ] is False

    async with data.runtime.uow(ACTOR) as uow:  # a third runtime: a reaction, a job
        await uow.session.execute(
            text("UPDATE institution SET government_mess = true WHERE id = :id"), {"id": school.id}
        )
        await uow.commit()

    for client in (first, second):
        read = await client.get(detail, headers=manager)
        assert read.json()["institution"]["government_mess"] is True


async def test_a_conditional_read_answers_304_until_the_course_changes(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    course = await data.course()
    detail = f"{API}/courses/{course.masl_id}"
    first = await client.get(detail, headers=manager)
    page = await client.get(f"{API}/courses?limit=5", headers=manager)

    unchanged = await client.get(
        detail, headers={**manager, "If-None-Match": first.headers["ETag"]}
    )
    same_page = await client.get(
        f"{API}/courses?limit=5", headers={**manager, "If-None-Match": page.headers["ETag"]}
    )
    await client.patch(
        detail, json={"title": "Changed"}, headers={**manager, "If-Match": first.headers["ETag"]}
    )
    changed = await client.get(detail, headers={**manager, "If-None-Match": first.headers["ETag"]})

    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == first.headers["ETag"]
    assert unchanged.content == b""
    assert page.headers["ETag"].startswith('W/"')
    assert same_page.status_code == 304
    assert changed.status_code == 200
    assert changed.json()["title"] == "Changed"


async def test_concurrent_reads_share_their_generation_checks(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    course = await data.course()
    detail = f"{API}/courses/{course.masl_id}"
    await client.get(detail, headers=manager)
    before = _cache(client).generation_reads

    answers = await asyncio.gather(*(client.get(detail, headers=manager) for _ in range(40)))

    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert _cache(client).generation_reads - before < 40


async def test_an_unknown_course_is_404_and_not_cached(
    client: httpx.AsyncClient, manager: dict[str, str], data: CatalogData
) -> None:
    masl_id = random_masl()
    missing = await client.get(f"{API}/courses/{masl_id}", headers=manager)
    course = await data.course(masl_id=masl_id)
    found = await client.get(f"{API}/courses/{masl_id}", headers=manager)

    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert found.status_code == 200
    assert found.json()["masl_id"] == course.masl_id
