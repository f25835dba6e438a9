"""The gateway's own routes that are not proxied, on two listeners (docs/adr/0055).

- The public port (`GATEWAY_PORT`): `create_own_app` - `/healthz` only (alive, reveals
  nothing), to which `app.py` adds the token endpoint, JWKS, discovery and the docs.
- The admin port (`GATEWAY_ADMIN_HOST`:`GATEWAY_ADMIN_PORT`, 127.0.0.1:9000 by default):
  `create_admin_listener` - `/healthz`, `/readyz` (every upstream's readiness: which service is
  down and why) and `/metrics` (Prometheus). They are for the orchestrator and the monitoring
  system only, so they never share a port with the public door; a deployment exposes the
  admin port to its probes and scraper, never to the Ingress.

Plain FastAPI apps: these routes are few and not hot. They own no resources: `GatewayApp`
opens and closes the upstream pool they read, and shares it (`app.state.pool`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.responses import JSONResponse, Response

from gateway.upstreams import UpstreamPool
from shared.http.metrics import metrics_endpoint
from shared.http.problems import install_problem_handlers, problem_response
from shared.http.request_id import RequestContextMiddleware

API_VERSION = "1.0.0"


def _example(value: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": value}}}}


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0] if route.tags else 'default'}-{route.name}"


async def healthz() -> dict[str, str]:
    """Alive: the gateway process answers. Says nothing about the services behind it."""
    return {"status": "ok", "service": "gateway"}


def create_own_app(pool: UpstreamPool) -> FastAPI:
    """The public port's own app: `/healthz`; the rest is added by `GatewayApp`."""
    app = FastAPI(
        title="IMET Pipeline API gateway",
        description="The single public door to the catalog, nomination, vetting and funding "
        "services. Routes under /api/v1/catalog, /api/v1/nominations, /api/v1/vetting and "
        "/api/v1/funding are forwarded to the owning service and need a bearer token.",
        version=API_VERSION,
        generate_unique_id_function=_operation_id,
        # The aggregated documents of the whole API replace FastAPI's own (gateway.docs).
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.pool = pool
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    app.add_api_route(
        "/healthz", healthz, methods=["GET"], tags=["health"],
        responses=_example({"status": "ok", "service": "gateway"}),
    )  # fmt: skip
    return app


def create_admin_listener(pool: UpstreamPool, started: Callable[[], bool]) -> FastAPI:
    """The admin port's app: health, readiness with details, and metrics. No documents."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.pool = pool
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware)

    async def readyz() -> Response:
        """Ready: the gateway started and every upstream's `/readyz` answered 200 in time."""
        if not started():
            return problem_response(
                503, "not-ready", "Gateway not ready", "The gateway is starting.",
                instance="/readyz", headers={"Retry-After": "1"},
            )  # fmt: skip
        upstreams = await pool.readiness()
        if all(result["ready"] for result in upstreams.values()):
            return JSONResponse({"status": "ready", "upstreams": upstreams})
        failing = ", ".join(name for name, result in upstreams.items() if not result["ready"])
        return problem_response(
            503, "not-ready", "Gateway not ready", f"Not ready: {failing}",
            instance="/readyz", headers={"Retry-After": "1"}, extra={"upstreams": upstreams},
        )  # fmt: skip

    app.add_api_route("/healthz", healthz, methods=["GET"])
    app.add_api_route("/readyz", readyz, methods=["GET"])
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"])
    return app
