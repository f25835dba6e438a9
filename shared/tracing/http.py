"""HTTP spans: FastAPI (every service), the raw ASGI gateway, the gateway's aiohttp client - the
maintained instrumentations, with URL attributes that never carry a query string - and the
traceparent of the active span, which an event staged now carries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opentelemetry import trace

from shared import tracing as _state
from shared.observability import child_traceparent, traceparent_var

if TYPE_CHECKING:
    from opentelemetry.trace import Span
    from starlette.types import ASGIApp

#: Paths never traced (probes and scrapes would drown the requests).
EXCLUDED_URLS = "healthz,readyz,metrics"


def _path_only(span: Span, scope: dict[str, Any]) -> None:
    """Server request hook: the URL attributes without the query string."""
    if span.is_recording() and scope.get("query_string"):
        path = scope.get("path", "")
        span.set_attribute("http.target", path)
        span.set_attribute("url.query", "")
        host = dict(scope.get("headers") or ()).get(b"host", b"").decode("latin-1")
        span.set_attribute("http.url", f"{scope.get('scheme', 'http')}://{host}{path}")


def instrument_fastapi(app: Any) -> None:
    """Server spans for a service's FastAPI app (no-op when tracing is off)."""
    if _state._provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_state._provider,
        excluded_urls=EXCLUDED_URLS,
        exclude_spans=["receive", "send"],
        server_request_hook=_path_only,
    )


def wrap_asgi(app: ASGIApp) -> ASGIApp:
    """Server spans around a raw ASGI app (the gateway); the app itself when tracing is off."""
    if _state._provider is None:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(
        app,
        excluded_urls=EXCLUDED_URLS,
        tracer_provider=_state._provider,
        exclude_spans=["receive", "send"],
        server_request_hook=_path_only,
    )


def _client_path_only(span: Span, params: Any) -> None:
    if span.is_recording() and params.url.query_string:
        span.set_attribute("http.url", str(params.url.with_query(None)))
        span.set_attribute("url.full", str(params.url.with_query(None)))


def aiohttp_trace_configs() -> list[Any]:
    """`trace_configs=` for an aiohttp ClientSession: client spans that inject `traceparent`."""
    if _state._provider is None:
        return []
    from opentelemetry.instrumentation.aiohttp_client import create_trace_config

    return [create_trace_config(request_hook=_client_path_only, tracer_provider=_state._provider)]


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span; None when tracing is off or no span is."""
    if _state._provider is None:
        return None
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def outbox_traceparent() -> str:
    """What an event staged now carries in `traceparent`: the active span when tracing is on,
    else (ADR 0059) a child of the request's or the handled event's traceparent."""
    return current_traceparent() or child_traceparent(traceparent_var.get())
