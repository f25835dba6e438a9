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
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.observability import child_traceparent, traceparent_var

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.trace import Link
    from opentelemetry.util.types import Attributes
    from starlette.types import ASGIApp

_provider: TracerProvider | None = None
_propagator = TraceContextTextMapPropagator()
_tracer: trace.Tracer = trace.NoOpTracer()
#: Paths never traced (probes and scrapes would drown the requests).
EXCLUDED_URLS = "healthz,readyz,metrics"
OFF = frozenset({"", "off", "none", "false", "0"})


class EntryPointRoots(Sampler):
    """Root spans only for work that begins somewhere (SERVER, CONSUMER, PRODUCER), `ratio` of
    them by trace id; a CLIENT or INTERNAL span without a parent - a poll's SQL statement - is
    dropped."""

    def __init__(self, ratio: float = 1.0) -> None:
        self.ratio = TraceIdRatioBased(ratio) if ratio < 1.0 else None

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if kind in (None, SpanKind.CLIENT, SpanKind.INTERNAL):
            return SamplingResult(Decision.DROP)
        if self.ratio is not None:
            return self.ratio.should_sample(
                parent_context, trace_id, name, kind, attributes, links, trace_state
            )
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)

    def get_description(self) -> str:
        return f"EntryPointRoots({self.ratio.rate if self.ratio else 1.0})"


#: asyncpg spans of transaction control (SQLAlchemy's BEGIN/COMMIT/ROLLBACK, its `;` ping):
#: dropped - they say nothing a statement span does not, and cost as much.
TRANSACTION_CONTROL = frozenset(
    {"BEGIN;", "BEGIN", "COMMIT;", "COMMIT", "ROLLBACK;", "ROLLBACK", ";", "SAVEPOINT", "RELEASE"}
)


class WithoutTransactionControl(Sampler):
    """`delegate`'s decision, except DROP for a transaction-control statement's span."""

    def __init__(self, delegate: Sampler) -> None:
        self.delegate = delegate

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if kind is SpanKind.CLIENT and name in TRANSACTION_CONTROL:
            return SamplingResult(Decision.DROP)
        return self.delegate.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"WithoutTransactionControl({self.delegate.get_description()})"


def default_sampler(environ: Mapping[str, str] | None = None) -> Sampler | None:
    """Ours unless `OTEL_TRACES_SAMPLER` names another than `parentbased_traceidratio` (whose
    ratio, `OTEL_TRACES_SAMPLER_ARG`, applies to the entry points); None: the SDK's own."""
    env = os.environ if environ is None else environ
    name = env.get("OTEL_TRACES_SAMPLER", "").strip().lower()
    if name not in ("", "parentbased_traceidratio"):
        return None
    try:
        ratio = float(env.get("OTEL_TRACES_SAMPLER_ARG") or 1.0) if name else 1.0
    except ValueError:
        ratio = 1.0
    return WithoutTransactionControl(ParentBased(EntryPointRoots(min(max(ratio, 0.0), 1.0))))


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


# --- HTTP ---------------------------------------------------------------------------------


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
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_provider,
        excluded_urls=EXCLUDED_URLS,
        exclude_spans=["receive", "send"],
        server_request_hook=_path_only,
    )


def wrap_asgi(app: ASGIApp) -> ASGIApp:
    """Server spans around a raw ASGI app (the gateway); the app itself when tracing is off."""
    if _provider is None:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return OpenTelemetryMiddleware(
        app,
        excluded_urls=EXCLUDED_URLS,
        tracer_provider=_provider,
        exclude_spans=["receive", "send"],
        server_request_hook=_path_only,
    )


def _client_path_only(span: Span, params: Any) -> None:
    if span.is_recording() and params.url.query_string:
        span.set_attribute("http.url", str(params.url.with_query(None)))
        span.set_attribute("url.full", str(params.url.with_query(None)))


def aiohttp_trace_configs() -> list[Any]:
    """`trace_configs=` for an aiohttp ClientSession: client spans that inject `traceparent`."""
    if _provider is None:
        return []
    from opentelemetry.instrumentation.aiohttp_client import create_trace_config

    return [create_trace_config(request_hook=_client_path_only, tracer_provider=_provider)]


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span; None when tracing is off or no span is."""
    if _provider is None:
        return None
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def outbox_traceparent() -> str:
    """What an event staged now carries in `traceparent`: the active span when tracing is on,
    else (ADR 0059) a child of the request's or the handled event's traceparent."""
    return current_traceparent() or child_traceparent(traceparent_var.get())


# --- Kafka --------------------------------------------------------------------------------


def _parent(traceparent: str | None) -> Any:
    return _propagator.extract({"traceparent": traceparent} if traceparent else {})


_NO_SPAN: AbstractContextManager[None] = nullcontext()


def consume_span(
    *, consumer: str, topic: str, partition: int, event_id: str, event_type: str,
    traceparent: str | None,
) -> AbstractContextManager[None]:  # fmt: skip
    """The CONSUMER span of handling one event: a child of the record's `traceparent`. The
    request context's traceparent is the span's meanwhile (so are the follow-up events')."""
    if _provider is None:
        return _NO_SPAN
    return _consume_span(consumer, topic, partition, event_id, event_type, traceparent)


@contextmanager
def _consume_span(
    consumer: str, topic: str, partition: int, event_id: str, event_type: str,
    traceparent: str | None,
) -> Iterator[None]:  # fmt: skip
    with _tracer.start_as_current_span(
        f"{event_type} process",
        context=_parent(traceparent),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.destination.name": topic,
            "messaging.destination.partition.id": str(partition),
            "messaging.consumer.group.name": consumer,
            "messaging.message.id": event_id,
            "cloudevents.event_type": event_type,
        },
    ):
        token = traceparent_var.set(current_traceparent())
        try:
            yield
        finally:
            traceparent_var.reset(token)


def start_publish_span(
    *, topic: str, partition: int, event_id: str, event_type: str, traceparent: str | None
) -> tuple[Span, str] | None:
    """A PRODUCER span for sending one outbox row, a child of the context stored with it;
    (span, the traceparent the record carries instead). None when tracing is off. The caller
    ends the span (`end_publish_spans`) when the broker acknowledged or refused the batch."""
    if _provider is None:
        return None
    span = _tracer.start_span(
        f"{topic} publish",
        context=_parent(traceparent),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "publish",
            "messaging.destination.name": topic,
            "messaging.destination.partition.id": str(partition),
            "messaging.message.id": event_id,
            "cloudevents.event_type": event_type,
        },
    )
    ctx = span.get_span_context()
    return span, f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def end_publish_spans(spans: Sequence[Span], failure: BaseException | None = None) -> None:
    for span in spans:
        if failure is not None:
            span.record_exception(failure)
            span.set_status(Status(StatusCode.ERROR, type(failure).__name__))
        span.end()


# --- the file exporter --------------------------------------------------------------------


def span_record(span: ReadableSpan) -> dict[str, Any]:
    """One span as a flat JSON object (ids in lower-case hex, times in ns since the epoch)."""
    ctx = span.get_span_context()
    parent = span.parent
    resource = span.resource.attributes if span.resource is not None else {}
    return {
        "name": span.name,
        "kind": span.kind.name,
        "trace_id": f"{ctx.trace_id:032x}" if ctx else None,
        "span_id": f"{ctx.span_id:016x}" if ctx else None,
        "parent_span_id": f"{parent.span_id:016x}" if parent is not None else None,
        "service": resource.get("service.name"),
        "start": span.start_time,
        "end": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "links": [
            {"trace_id": f"{link.context.trace_id:032x}", "span_id": f"{link.context.span_id:016x}"}
            for link in span.links
        ],
    }


class JsonLinesSpanExporter(SpanExporter):
    """Append each span as one JSON line to a file (one `write` per line, O_APPEND: processes
    may share the file). For tests and local debugging, not for production volumes."""

    def __init__(self, path: str, *, record: Callable[[Any], dict[str, Any]] = span_record) -> None:
        self.path = path
        self._record = record
        self._lock = threading.Lock()
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        data = "".join(json.dumps(self._record(s), default=str) + "\n" for s in spans).encode()
        with self._lock:
            if self._fd < 0:
                return SpanExportResult.FAILURE
            os.write(self._fd, data)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True
