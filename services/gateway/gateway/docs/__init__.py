"""The gateway's documentation routes: one OpenAPI document for the whole API, its Swagger UI
and Redoc pages, and the AsyncAPI document of every topic (JSON and a readable page).

`mount_docs(app, settings)` adds them to the gateway's own FastAPI app, which must not serve its
own `/openapi.json`, `/docs` or `/redoc` (create it with `openapi_url=None, docs_url=None,
redoc_url=None`). Everything here is public: documents describe the API, they grant nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.responses import HTMLResponse, JSONResponse, Response

from gateway.docs.asyncapi import KafkaServer, build_asyncapi
from gateway.docs.asyncapi_page import render_asyncapi_page
from gateway.docs.openapi import Fetch, OpenApiAggregator, fetcher
from gateway.docs.settings import DocsSettings
from gateway.routing import route_table
from gateway.settings import GatewaySettings
from shared.contracts.registry import published_events
from shared.messaging.envelope import IntegrationEvent

__all__ = ["DocsSettings", "DocsState", "mount_docs"]

OPENAPI_PATH = "/openapi.json"
DOC_PATHS = (
    OPENAPI_PATH,
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/asyncapi.json",
    "/asyncapi",
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
    """Add `/openapi.json`, `/docs`, `/redoc`, `/asyncapi.json` and `/asyncapi` to `app`."""
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
    state = DocsState(aggregator, asyncapi)
    app.state.docs = state

    def _url(request: Request, path: str) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/") + path

    async def openapi_json() -> Response:
        return Response(await aggregator.body(), media_type="application/json")

    async def swagger_ui(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=_url(request, OPENAPI_PATH),
            title="IMET Pipeline API",
            swagger_js_url=docs.swagger_js_url,
            swagger_css_url=docs.swagger_css_url,
            swagger_favicon_url=docs.favicon_url,
            oauth2_redirect_url=_url(request, "/docs/oauth2-redirect"),
            swagger_ui_parameters={"persistAuthorization": True, "displayOperationId": True},
        )

    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        return get_redoc_html(
            openapi_url=_url(request, OPENAPI_PATH),
            title="IMET Pipeline API",
            redoc_js_url=docs.redoc_js_url,
            redoc_favicon_url=docs.favicon_url,
            with_google_fonts=False,
        )

    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(asyncapi)

    async def asyncapi_html() -> HTMLResponse:
        return HTMLResponse(asyncapi_page)

    endpoints: tuple[Callable[..., Awaitable[Response]], ...] = (
        openapi_json,
        swagger_ui,
        swagger_ui_redirect,
        redoc,
        asyncapi_json,
        asyncapi_html,
    )
    for path, endpoint in zip(DOC_PATHS, endpoints, strict=True):
        app.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)
    return state
