"""The documentation routes on the gateway's own FastAPI app."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.docs import mount_docs
from gateway.docs.asyncapi import KafkaServer, build_asyncapi
from gateway.docs.asyncapi_page import render_asyncapi_page
from gateway.settings import GatewaySettings
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.registry import published_events

DocsApp = Callable[..., tuple[FastAPI, Any]]


async def get(app: FastAPI, path: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gw") as c:
        return await c.get(path)


class _Text(HTMLParser):
    """Ids, links, what the page makes the browser load, and its inline scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.tags: list[str] = []
        self.loads: list[str] = []  # script src, link href (style sheets, icons), img src
        self.json_blocks: dict[str, Any] = {}
        self.inline_scripts = 0
        self.inline_styles = 0
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag in ("script", "img") and found.get("src"):
            self.loads.append(str(found["src"]))
        if tag == "link" and found.get("href"):
            self.loads.append(str(found["href"]))
        if "style" in found:
            self.inline_styles += 1
        self._open = (tag, found)

    def handle_data(self, data: str) -> None:
        if self._open is None or not data.strip():
            return
        tag, attrs = self._open
        if tag == "script" and attrs.get("type") == "application/json":
            self.json_blocks[str(attrs.get("id"))] = json.loads(data)
        elif tag == "script":
            self.inline_scripts += 1
        elif tag == "style":
            self.inline_styles += 1

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


async def test_swagger_ui_and_redoc_load_the_aggregated_document(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    swagger = await get(app, "/docs")
    redoc = await get(app, "/redoc")

    assert swagger.status_code == redoc.status_code == 200
    config = parse(swagger.text).json_blocks["swagger-ui-config"]
    assert config["url"] == "/openapi.json"
    assert config["validatorUrl"] is None
    assert '<redoc spec-url="/openapi.json"' in redoc.text


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/asyncapi"])
async def test_a_docs_page_loads_nothing_from_another_origin_and_runs_no_inline_script(
    docs_app: DocsApp, path: str
) -> None:
    app, _ = docs_app()

    page = parse((await get(app, path)).text)

    assert page.loads, path
    assert all(url.startswith("/docs/assets/") for url in page.loads), page.loads
    assert page.inline_scripts == 0
    assert page.inline_styles == 0
    assert "//" not in "".join(page.loads)


async def test_every_file_a_docs_page_loads_is_served_by_the_gateway(docs_app: DocsApp) -> None:
    app, _ = docs_app()
    loaded = set()
    for path in ("/docs", "/redoc", "/asyncapi"):
        loaded |= set(parse((await get(app, path)).text).loads)

    answers = {url: await get(app, url) for url in sorted(loaded)}

    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(loaded, 200)
    bundle = answers["/docs/assets/swagger-ui-bundle.js"]
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in bundle.content
    assert len(answers["/docs/assets/redoc.standalone.js"].content) > 500_000
    assert answers["/docs/assets/swagger-ui.css"].headers["content-type"].startswith("text/css")
    assert "max-age" in bundle.headers["cache-control"]


async def test_only_the_listed_docs_files_are_served(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    unknown = await get(app, "/docs/assets/core.py")
    traversal = await get(app, "/docs/assets/..%2f..%2fsettings.py")

    assert unknown.status_code == traversal.status_code == 404


def test_an_app_that_serves_its_own_openapi_is_refused() -> None:
    app = FastAPI()  # /openapi.json and /docs by default

    with pytest.raises(ValueError, match="openapi_url=None"):
        mount_docs(app, GatewaySettings())


async def test_the_documentation_routes_are_not_in_the_document(docs_app: DocsApp) -> None:
    app, _ = docs_app()

    document = (await get(app, "/openapi.json")).json()

    for path in ("/openapi.json", "/docs", "/redoc", "/asyncapi.json", "/asyncapi"):
        assert path not in document["paths"]
    assert not [path for path in document["paths"] if path.startswith("/docs/")]


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
    assert page.inline_scripts == 0
    assert not [url for url in page.loads if not url.startswith("/docs/assets/")]


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


def test_reasons_are_documented_as_open_code_sets_on_the_page() -> None:
    document = build_asyncapi(published_events(), KafkaServer())

    html = render_asyncapi_page(document)

    for event_type, code in (("imet.catalog.class_cancelled.v1", "instructor_unavailable"),
                             ("imet.nomination.withdrawn.v1", "operational_needs")):  # fmt: skip
        section = html.split(f'id="message-{event_type}"')[1].split("<h3")[0]
        row = section.split("<td><code>reason</code></td>")[1].split("</tr>")[0]
        assert f"<code>{code}</code>" in row
        assert "other codes read as <code>other</code>" in row
