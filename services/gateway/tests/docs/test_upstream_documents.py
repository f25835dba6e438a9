"""The services' documents are fetched over HTTP, kept fresh, and survive a service going down."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.responses import PlainTextResponse

from gateway.docs.openapi import OpenApiAggregator, SpecFetchError, fetcher
from gateway.routing import route_table
from gateway.settings import GatewaySettings
from imet.infra.process import free_port

NAMES = ("catalog", "nomination", "vetting", "funding", "reporting")
Serve = Callable[[Any], contextlib.AbstractContextManager[str]]


def aggregator(urls: dict[str, str], **kwargs: Any) -> OpenApiAggregator:
    settings = GatewaySettings(**{f"{name}_url": url for name, url in urls.items()})
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    fetch = kwargs.pop("fetch", fetcher(2.0))
    return OpenApiAggregator(app, list(route_table(settings).upstreams), fetch, **kwargs)


def fake_apps(fake_specs: dict[str, dict[str, Any]]) -> dict[str, FastAPI]:
    apps = {}
    for name in NAMES:
        app = FastAPI(openapi_url=None)
        spec = fake_specs[name]

        async def openapi(spec: dict[str, Any] = spec) -> dict[str, Any]:
            return spec

        app.add_api_route("/openapi.json", openapi, methods=["GET"])
        apps[name] = app
    return apps


async def test_each_service_document_is_fetched_over_http(
    serve_app: Serve, fake_specs: dict[str, dict[str, Any]]
) -> None:
    with contextlib.ExitStack() as stack:
        apps = fake_apps(fake_specs)
        urls = {name: stack.enter_context(serve_app(app)) for name, app in apps.items()}
        docs = aggregator(urls)

        await docs.refresh()

    document = docs.build()
    assert {name: s["status"] for name, s in document["info"]["x-upstreams"].items()} == {
        name: "ok" for name in NAMES
    }
    assert "/api/v1/funding/funding-only" in document["paths"]


async def test_a_service_that_went_down_keeps_its_last_good_copy_marked_stale(
    serve_app: Serve, fake_specs: dict[str, dict[str, Any]]
) -> None:
    apps = fake_apps(fake_specs)
    with contextlib.ExitStack() as others:
        urls = {n: others.enter_context(serve_app(apps[n])) for n in NAMES if n != "vetting"}
        with serve_app(apps["vetting"]) as vetting_url:
            docs = aggregator({**urls, "vetting": vetting_url})
            await docs.refresh()
        # vetting's server is stopped now; the others still answer

        await docs.refresh()

    document = docs.build()
    vetting = document["info"]["x-upstreams"]["vetting"]
    assert vetting["status"] == "stale"
    assert vetting["error"] == "ClientConnectorError"
    assert "fetched_at" in vetting
    assert "/api/v1/vetting/vetting-only" in document["paths"]
    assert document["info"]["x-upstreams"]["catalog"]["status"] == "ok"


async def test_a_service_never_reached_is_marked_unavailable_and_the_rest_is_served(
    serve_app: Serve, fake_specs: dict[str, dict[str, Any]]
) -> None:
    apps = fake_apps(fake_specs)
    with contextlib.ExitStack() as stack:
        urls = {n: stack.enter_context(serve_app(apps[n])) for n in NAMES if n != "funding"}
        docs = aggregator({**urls, "funding": f"http://127.0.0.1:{free_port()}"})

        body = await docs.body()

    document = docs.build()
    assert body
    assert document["info"]["x-upstreams"]["funding"]["status"] == "unavailable"
    assert not [path for path in document["paths"] if path.startswith("/api/v1/funding")]
    assert [group["name"] for group in document["x-tagGroups"]] == [
        "Catalog",
        "Nominations",
        "Vetting",
        "Reports",
    ]


async def test_an_answer_that_is_not_an_openapi_document_is_not_taken(
    serve_app: Serve, fake_specs: dict[str, dict[str, Any]]
) -> None:
    broken = FastAPI(openapi_url=None)

    async def openapi() -> PlainTextResponse:
        return PlainTextResponse("upstream exploded", status_code=500)

    broken.add_api_route("/openapi.json", openapi, methods=["GET"])
    apps = {**fake_apps(fake_specs), "catalog": broken}
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(serve_app(app)) for name, app in apps.items()}
        docs = aggregator(urls)

        await docs.refresh()

    catalog = docs.build()["info"]["x-upstreams"]["catalog"]
    assert catalog == {"status": "unavailable", "prefix": "/api/v1/catalog", "error": "HTTP 500"}


async def test_the_documents_are_fetched_again_only_after_the_ttl(
    fake_specs: dict[str, dict[str, Any]],
) -> None:
    now = [1000.0]
    fetched: list[str] = []

    async def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        return fake_specs[url.removeprefix("http://").split(".", 1)[0]]

    urls = {n: f"http://{n}.test" for n in NAMES}
    docs = aggregator(urls, fetch=fetch, ttl_seconds=60, clock=lambda: now[0])
    first = await docs.body()
    now[0] += 59
    await docs.body()
    assert len(fetched) == len(NAMES)

    now[0] += 2
    served_while_refreshing = await docs.body()
    refresh = docs.pending_refresh
    assert refresh is not None
    await refresh

    assert served_while_refreshing == first
    assert len(fetched) == 2 * len(NAMES)


async def test_a_service_that_did_not_answer_is_asked_again_before_the_ttl(
    fake_specs: dict[str, dict[str, Any]],
) -> None:
    now = [1000.0]
    down = {"vetting"}

    async def fetch(url: str) -> dict[str, Any]:
        name = url.removeprefix("http://").split(".", 1)[0]
        if name in down:
            raise SpecFetchError("HTTP 503")
        return fake_specs[name]

    urls = {n: f"http://{n}.test" for n in NAMES}
    docs = aggregator(urls, fetch=fetch, ttl_seconds=60, retry_seconds=5, clock=lambda: now[0])
    partial = json.loads(await docs.body())
    down.clear()
    now[0] += 4
    still_partial = json.loads(await docs.body())
    now[0] += 2

    # A partial document past its retry time is completed BEFORE the answer, not after.
    whole = json.loads(await docs.body())
    now[0] += 6
    await docs.body()

    assert partial["info"]["x-upstreams"]["vetting"]["status"] == "unavailable"
    assert still_partial == partial
    assert whole["info"]["x-upstreams"]["vetting"]["status"] == "ok"
    assert docs.pending_refresh is None  # complete now: nothing due before the TTL
