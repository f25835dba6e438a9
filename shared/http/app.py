"""Build a service's FastAPI app with the platform's HTTP plumbing.

Every service app gets: problem+json for every error, X-Request-ID/traceparent, Prometheus
metrics, Idempotency-Key replay for state-changing requests, `/healthz` and `/readyz` (at the
root for the orchestrator, and under the service's public prefix so they answer through the
gateway: `healthz` to anyone, `readyz` - which names failing dependencies - to admins only)
and stable operation ids `"{tag}-{name}"`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from starlette.responses import JSONResponse, Response

from shared.auth.principal import Role
from shared.http.audit import audit_router
from shared.http.auth import require_roles
from shared.http.idempotency import IdempotencyMiddleware
from shared.http.metrics import MetricsMiddleware, metrics_endpoint
from shared.http.ops_metrics import OpsMetrics
from shared.http.problems import install_problem_handlers, problem_response
from shared.http.readiness import check_database
from shared.http.request_id import RequestContextMiddleware
from shared.runtime import ServiceRuntime
from shared.tracing import instrument_fastapi

API_VERSION = "1.0.0"


def operation_id(route: APIRoute) -> str:
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def _health_examples(service: str) -> dict[str, dict[int | str, dict[str, Any]]]:
    """Examples of the 200 answers of `/healthz` and `/readyz`, as `responses=` of a route."""
    checks = {"database": {"ok": True}}
    answers = {
        "healthz": {"status": "ok", "service": service},
        "readyz": {"status": "ready", "service": service, "checks": checks},
    }
    return {
        name: {200: {"content": {"application/json": {"example": example}}}}
        for name, example in answers.items()
    }


def health_router(runtime: ServiceRuntime[Any, Any]) -> APIRouter:
    router = APIRouter(tags=["health"])

    async def healthz() -> dict[str, str]:
        """Alive: the process answers. Says nothing about its dependencies."""
        return {"status": "ok", "service": runtime.definition.name}

    async def readyz() -> Response:
        """Ready: the database is reachable (checked now). The broker is not a condition: writes
        go to the outbox, so an API serves through a broker outage; the consumer and relay
        report the broker's health (`imet_broker_up` on /metrics)."""
        db_ok, db_error = await check_database(runtime.engine)
        checks = {"database": {"ok": db_ok, **({"error": db_error} if db_error else {})}}
        if db_ok:
            return JSONResponse(
                {"status": "ready", "service": runtime.definition.name, "checks": checks}
            )
        failing = ", ".join(name for name, c in checks.items() if not c["ok"])
        return problem_response(
            503, "not-ready", "Service not ready", f"Unreachable: {failing}",
            extra={"checks": checks}, headers={"Retry-After": "1"},
        )  # fmt: skip

    prefix = runtime.definition.api_prefix
    # Through the gateway, dependency state is for admins (the orchestrator asks the root).
    guards = {"healthz": [], "readyz": [Depends(require_roles(Role.ADMIN))]}
    for endpoint, name in ((healthz, "healthz"), (readyz, "readyz")):
        router.add_api_route(f"/{name}", endpoint, methods=["GET"], include_in_schema=False)
        router.add_api_route(
            f"{prefix}/{name}",
            endpoint,
            methods=["GET"],
            name=f"{name}-public",
            responses=_health_examples(runtime.definition.name)[name],
            dependencies=guards[name],
        )
    router.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    return router


def create_service_app(runtime: ServiceRuntime[Any, Any]) -> FastAPI:
    definition = runtime.definition
    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=API_VERSION,
        openapi_tags=list(definition.openapi_tags),
        generate_unique_id_function=operation_id,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.verifier = runtime.verifier
    ops = OpsMetrics(runtime)
    app.state.ops_metrics = ops
    runtime.closers.append(ops.aclose)
    install_problem_handlers(app)
    app.include_router(health_router(runtime))
    for router in definition.routers():
        app.include_router(router)
    app.include_router(audit_router(definition.api_prefix, "audit"))
    app.add_middleware(
        IdempotencyMiddleware,
        sessions=runtime.sessions,
        table=definition.tables.idempotency_key,
        stale_after=timedelta(seconds=runtime.settings.idempotency_stale_seconds),
        verifier=runtime.verifier,
    )
    app.add_middleware(MetricsMiddleware, service=definition.name)
    app.add_middleware(RequestContextMiddleware)
    instrument_fastapi(app)  # outermost: RequestContextMiddleware sees the server span
    return app
