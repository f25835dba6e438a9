"""The documentation routes on the gateway's own FastAPI app."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.docs import DocsSettings, mount_docs
from gateway.docs.asyncapi import KafkaServer, build_asyncapi
from gateway.docs.asyncapi_page import render_asyncapi_page
from gateway.settings import GatewaySettings
from shared.contracts.registry import published_events
from shared.messaging.envelope import IntegrationEvent

DocsApp = Callable[..., tuple[FastAPI, Any]]


async def get(app: FastAPI, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as c:
        return await c.get(path)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


async def test_swagger_ui_and_redoc_load_the_aggregated_document(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    swagger = await get(app, "/docs")
    redoc = await get(app, "/redoc")

    assert swagger.status_code == redoc.status_code == 200
    assert "url: '/openapi.json'" in swagger.text
    assert "swagger-ui-dist@5/swagger-ui-bundle.js" in swagger.text
    assert '<redoc spec-url="/openapi.json"' in redoc.text
    assert "fonts.googleapis.com" not in redoc.text


async def test_the_ui_assets_can_be_served_from_elsewhere() -> None:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    docs = DocsSettings(swagger_js_url="/static/swagger.js", redoc_js_url="/static/redoc.js")
    mount_docs(app, GatewaySettings(), docs)

    swagger = await get(app, "/docs")
    redoc = await get(app, "/redoc")

    assert '<script src="/static/swagger.js">' in swagger.text
    assert '<script src="/static/redoc.js">' in redoc.text


def test_an_app_that_serves_its_own_openapi_is_refused() -> None:
    app = FastAPI()  # /openapi.json and /docs by default

    with pytest.raises(ValueError, match="openapi_url=None"):
        mount_docs(app, GatewaySettings())


async def test_the_documentation_routes_are_not_in_the_document(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    document = (await get(app, "/openapi.json")).json()

    for path in ("/openapi.json", "/docs", "/redoc", "/asyncapi.json", "/asyncapi"):
        assert path not in document["paths"]


async def test_asyncapi_json_is_served_with_every_event(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    response = await get(app, "/asyncapi.json")

    assert response.headers["content-type"] == "application/json"
    messages = response.json()["components"]["messages"]
    assert set(published_events()) <= set(messages)


async def test_the_asyncapi_page_lists_every_topic_and_every_event(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    response = await get(app, "/asyncapi")

    page = parse(response.text)
    assert response.headers["content-type"].startswith("text/html")
    assert "/asyncapi.json" in page.links
    for event_type, model in published_events().items():
        assert f"topic-{model.TOPIC}" in page.ids
        assert f"message-{event_type}" in page.ids
    assert "script" not in page.tags


def test_each_event_on_the_page_shows_its_key_consumers_and_fields() -> None:
    document = build_asyncapi(published_events(), KafkaServer())

    html = render_asyncapi_page(document)

    section = html.split('id="message-imet.catalog.seat_held.v1"')[1].split("<h3")[0]
    assert "Key: <code>class_id</code>" in section
    assert "<strong>funding</strong>" in section
    assert "<strong>nomination</strong>" in section
    for field in ("class_id", "hold_expires_at", "backfills_nomination_id"):
        assert f"<td><code>{field}</code></td>" in section
    links = {href for href in parse(html).links if href.startswith("#")}
    assert {link[1:] for link in links} <= parse(html).ids


def test_text_from_the_contracts_is_escaped_on_the_page() -> None:
    class ProbeV1(IntegrationEvent):
        """A <script>alert(1)</script> probe."""

        TYPE = "imet.docsprobe.probed.v1"
        TOPIC = "imet.docsprobe.events"
        AGGREGATE = "probe"
        KEY_FIELD = "probe_id"

        probe_id: str

    document = build_asyncapi({ProbeV1.TYPE: ProbeV1}, KafkaServer())

    html = render_asyncapi_page(document)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r'id="topic-imet\.docsprobe\.events"', html)
