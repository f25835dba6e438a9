"""The gateway's documentation routes: one OpenAPI document for the whole API, its Swagger UI
and Redoc pages, and the AsyncAPI document of every topic (JSON and a readable page). Every
file the pages load is served here too (`/docs/assets/...`, `pages.py`): nothing comes from
another origin.

`mount_docs(app, settings)` adds them to the gateway's own FastAPI app, which must not serve its
own `/openapi.json`, `/docs` or `/redoc` (create it with `openapi_url=None, docs_url=None,
redoc_url=None`). Everything here is public: documents describe the API, they grant nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from gateway.docs.asyncapi import KafkaServer, build_asyncapi
from gateway.docs.asyncapi_page import render_asyncapi_page
from gateway.docs.openapi import Fetch, OpenApiAggregator, fetcher
from gateway.docs.pages import ASSETS_PATH, AssetFiles, redoc_page, swagger_ui_page
from gateway.docs.settings import DocsSettings
from gateway.routing import route_table
from gateway.settings import GatewaySettings
from shared.contracts.envelope import IntegrationEvent
from shared.contracts.registry import published_events
from shared.http.problems import problem_response

__all__ = ["DocsSettings", "DocsState", "mount_docs"]

OPENAPI_PATH = "/openapi.json"
TITLE = "IMET Pipeline API"
DOC_PATHS = (
    OPENAPI_PATH,
    "/docs",
    "/redoc",
    "/asyncapi.json",
    "/asyncapi",
    ASSETS_PATH + "/{name}",
)


@dataclass(frozen=True)
class DocsState:
    """Kept on `app.state.docs`: `openapi.refresh_in_background()` at startup fetches the
    services' documents early; `await openapi.aclose()` at shutdown stops a refresh."""

    openapi: OpenApiAggregator
    asyncapi: dict[str, object]


def _kafka_server(settings: GatewaySettings, docs: DocsSettings) -> KafkaServer:
    platform = settings.platform
    return KafkaServer(
        bootstrap_servers=docs.kafka_server or platform.kafka_bootstrap_servers,
        topic_prefix=platform.kafka_topic_prefix,
        partitions=platform.kafka_topic_partitions,
        security_protocol=platform.kafka_security_protocol,
        sasl_mechanism=platform.kafka_sasl_mechanism,
    )


def mount_docs(
    app: FastAPI,
    settings: GatewaySettings,
    docs_settings: DocsSettings | None = None,
    *,
    fetch: Fetch | None = None,
    events: Mapping[str, type[IntegrationEvent]] | None = None,
) -> DocsState:
    """Add `/openapi.json`, `/docs`, `/redoc`, `/asyncapi.json`, `/asyncapi` and the pages'
    files (`/docs/assets/{name}`) to `app`."""
    taken = {app.openapi_url, app.docs_url, app.redoc_url} & set(DOC_PATHS)
    if taken:
        raise ValueError(
            f"the app already serves {', '.join(sorted(p for p in taken if p))}: create it with "
            "openapi_url=None, docs_url=None, redoc_url=None so the aggregated docs replace them"
        )
    docs = docs_settings or DocsSettings()
    aggregator = OpenApiAggregator(
        app=app,
        upstreams=list(route_table(settings).upstreams),
        fetch=fetch or fetcher(docs.fetch_timeout_seconds),
        ttl_seconds=docs.openapi_ttl_seconds,
        retry_seconds=docs.openapi_retry_seconds,
    )
    asyncapi = build_asyncapi(events or published_events(), _kafka_server(settings, docs))
    asyncapi_page = render_asyncapi_page(asyncapi)
    assets = AssetFiles()
    state = DocsState(aggregator, asyncapi)
    app.state.docs = state

    def _url(request: Request, path: str) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/") + path

    async def openapi_json() -> Response:
        return Response(await aggregator.body(), media_type="application/json")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _url(request, "")
        return swagger_ui_page(root=root, openapi_url=root + OPENAPI_PATH, title=TITLE)

    async def redoc(request: Request) -> HTMLResponse:
        root = _url(request, "")
        return redoc_page(root=root, openapi_url=root + OPENAPI_PATH, title=TITLE)

    async def asset(name: str) -> Response:
        response = assets.response(name)
        if response is None:
            return problem_response(404, "not-found", "Not found", "No such documentation file.")
        return response

    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(asyncapi)

    async def asyncapi_html() -> HTMLResponse:
        return HTMLResponse(asyncapi_page)

    endpoints: tuple[Callable[..., Awaitable[Response]], ...] = (
        openapi_json,
        swagger_ui,
        redoc,
        asyncapi_json,
        asyncapi_html,
        asset,
    )
    for path, endpoint in zip(DOC_PATHS, endpoints, strict=True):
        app.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)
    return state
