"""The aggregated document as the gateway builds it from the REAL services' apps (no network)."""

from __future__ import annotations

from typing import Any

from gateway.admin import create_own_app
from gateway.docs.openapi import OpenApiAggregator
from gateway.oauth import AuthServer, install_auth_routes
from gateway.routing import Upstream, route_table
from gateway.settings import GatewaySettings
from gateway.upstreams import UpstreamPool
from imet.services import DOMAIN_SERVICES
from shared.http.app import create_service_app


async def real_document(
    make_runtime: Any,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[Upstream]]:
    """(merged document, each service's own document, the upstreams) - the gateway's own
    routes, token endpoint and discovery included."""
    specs = {}
    for name in DOMAIN_SERVICES:
        specs[name] = create_service_app(await make_runtime(name)).openapi()

    async def fetch(url: str) -> dict[str, Any]:
        return specs[url.removeprefix("http://").split(".", 1)[0]]

    settings = GatewaySettings(**{f"{name}_url": f"http://{name}.test" for name in specs})
    upstreams = list(route_table(settings).upstreams)
    gateway_app = create_own_app(UpstreamPool(route_table(settings), settings))
    install_auth_routes(gateway_app, AuthServer(settings))
    docs = OpenApiAggregator(gateway_app, upstreams, fetch)
    await docs.refresh()
    return docs.build(), specs, upstreams
