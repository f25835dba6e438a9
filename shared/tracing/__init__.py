"""OpenTelemetry tracing: the one place that turns it on, and the spans of the Kafka hops.

Off by default. `IMET_TRACING` (or the standard `OTEL_TRACES_EXPORTER` when it is unset) says
where spans go:
- `otlp`: OTLP over HTTP/protobuf to `OTEL_EXPORTER_OTLP_ENDPOINT` (or
  `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; the other standard `OTEL_EXPORTER_OTLP_*` variables
  apply), batched;
- `console`: one JSON document per span on stdout (dev);
- `file:<path>`: one JSON line per span appended to `<path>` (`{service}` and `{pid}` in it are
  replaced), written as each span ends - what the e2e test reads;
- `off` / `none` / unset: nothing is installed. The API's tracer stays the no-op one, no
  instrumentation wraps anything, and every helper below returns at its first line.

HTTP: FastAPI (every service), the raw ASGI gateway, the gateway's aiohttp client and asyncpg
(under SQLAlchemy and the relay's/consumer's own connections) use the maintained
instrumentations; the W3C propagator reads and writes
`traceparent`/`tracestate`. Kafka: the CloudEvents `traceparent` header (ADR 0059) carries the
context: the outbox row stores the span current when the event is staged, the relay sends
each record inside a PRODUCER span that is a child of it (the record then carries the
PRODUCER span's context) and each consumer handles an event inside a CONSUMER span that is a
child of the record's, so the events its reaction stages continue the trace (ADR 0090).
Span attributes never carry a query string (personal data may be searched for) nor a SQL
parameter. Unless `OTEL_TRACES_SAMPLER` names another sampler than `parentbased_traceidratio`,
a trace starts only at an entry point (a request, a record handled or sent; a ratio of them
with `OTEL_TRACES_SAMPLER_ARG`): a statement outside one (a relay's poll, a lease's heartbeat)
is not traced; inside one everything is, but transaction control (BEGIN/COMMIT/ROLLBACK).

The package: this module holds the process's tracer provider (`configure_tracing`) and re-exports
everything; `sampling` decides what is traced, `http` and `kafka` are the hops' spans,
`export` the JSON-lines file exporter.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.tracing.export import JsonLinesSpanExporter, span_record
from shared.tracing.http import (
    EXCLUDED_URLS,
    aiohttp_trace_configs,
    current_traceparent,
    instrument_fastapi,
    outbox_traceparent,
    wrap_asgi,
)
from shared.tracing.kafka import consume_span, end_publish_spans, start_publish_span
from shared.tracing.sampling import (
    TRANSACTION_CONTROL,
    EntryPointRoots,
    WithoutTransactionControl,
    default_sampler,
)

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

__all__ = [
    "EXCLUDED_URLS",
    "OFF",
    "TRANSACTION_CONTROL",
    "EntryPointRoots",
    "JsonLinesSpanExporter",
    "WithoutTransactionControl",
    "aiohttp_trace_configs",
    "configure_tracing",
    "consume_span",
    "current_traceparent",
    "default_sampler",
    "enabled",
    "end_publish_spans",
    "instrument_fastapi",
    "outbox_traceparent",
    "shutdown_tracing",
    "span_record",
    "start_publish_span",
    "tracing_mode",
    "wrap_asgi",
]

#: The process's provider and tracer once `configure_tracing` turned tracing on (the hops read
#: them here, at each call).
_provider: TracerProvider | None = None
_propagator = TraceContextTextMapPropagator()
_tracer: trace.Tracer = trace.NoOpTracer()
OFF = frozenset({"", "off", "none", "false", "0"})


def enabled() -> bool:
    return _provider is not None


def tracing_mode(environ: Mapping[str, str] | None = None) -> str:
    """The configured exporter: `IMET_TRACING`, else `OTEL_TRACES_EXPORTER`, else off."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return "off"
    mode = env.get("IMET_TRACING") or env.get("OTEL_TRACES_EXPORTER") or "off"
    mode = mode.strip()
    return "off" if mode.lower() in OFF else mode


def configure_tracing(service: str, *, mode: str | None = None) -> bool:
    """Install the tracer provider and exporter of this process, once; True when tracing is on.

    Call before the app, the engine or the HTTP sessions are built (instrumentation wraps
    what is created after)."""
    global _provider, _tracer
    if _provider is not None:
        return True
    mode = tracing_mode() if mode is None else mode
    if mode == "off":
        return False
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    resource = Resource.create(
        {SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME") or f"imet-{service}"}
    )
    provider = TracerProvider(resource=resource, sampler=default_sampler())
    if mode == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    elif mode == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    elif mode.startswith("file:"):
        path = mode.removeprefix("file:").format(service=service, pid=os.getpid())
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(path)))
    else:
        raise ValueError(f"IMET_TRACING={mode!r}: expected otlp, console, file:<path> or off")
    trace.set_tracer_provider(provider)
    _provider = provider
    _tracer = provider.get_tracer("imet")
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # statements, never parameters
    return True


def shutdown_tracing() -> None:
    """Flush and stop the exporter (also run at exit by the SDK)."""
    if _provider is not None:
        _provider.shutdown()
