"""The gateway's own routes (everything that is not proxied): health, readiness, metrics, docs.

A plain FastAPI app: these routes are few and not hot, so they get the framework's comfort.
It has no lifespan of its own; `GatewayApp` owns every resource and shares them through
`app.state` (`pool`, and `verifier` once the gateway started).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.responses import JSONResponse, Response

from gateway.upstreams import UpstreamPool
from shared.http.metrics import metrics_endpoint
from shared.http.problems import install_problem_handlers, problem_response
from shared.http.request_id import RequestContextMiddleware

API_VERSION = "1.0.0"
_READY_EXAMPLE = {
    "status": "ready",
    "upstreams": {
        name: {"ready": True, "status": 200}
        for name in ("catalog", "nomination", "vetting", "funding")
    },
}


def _example(value: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": value}}}}


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0] if route.tags else 'default'}-{route.name}"


def create_admin_app(pool: UpstreamPool) -> FastAPI:
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

    @app.get(
        "/healthz", tags=["health"], responses=_example({"status": "ok", "service": "gateway"})
    )
    async def healthz() -> dict[str, str]:
        """Alive: the gateway process answers. Says nothing about the services behind it."""
        return {"status": "ok", "service": "gateway"}

    @app.get(
        "/readyz",
        tags=["health"],
        responses={**_example(_READY_EXAMPLE), 503: {"description": "An upstream not ready"}},
    )
    async def readyz() -> Response:
        """Ready: every upstream's `/readyz` answered 200 within the readiness timeout."""
        upstreams = await pool.readiness()
        if all(result["ready"] for result in upstreams.values()):
            return JSONResponse({"status": "ready", "upstreams": upstreams})
        failing = ", ".join(name for name, result in upstreams.items() if not result["ready"])
        return problem_response(
            503, "not-ready", "Gateway not ready", f"Not ready: {failing}",
            instance="/readyz", headers={"Retry-After": "1"}, extra={"upstreams": upstreams},
        )  # fmt: skip

    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    return app
