"""shared/tracing/ without a stack: the mode, the off path, the file exporter, the spans of the
Kafka hops and the trace ids of log lines (ADR 0090). Nothing here installs the global tracer
provider except through `tracing_on`, which puts everything back."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shared import observability, tracing
from shared.observability import add_trace_ids, configure_logging, traceparent_var

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"
STORED = f"00-{TRACE}-{PARENT}-01"


@pytest.mark.parametrize(
    ("env", "mode"),
    [
        ({}, "off"),
        ({"IMET_TRACING": "otlp"}, "otlp"),
        ({"IMET_TRACING": "off", "OTEL_TRACES_EXPORTER": "otlp"}, "off"),
        ({"OTEL_TRACES_EXPORTER": "console"}, "console"),
        ({"OTEL_TRACES_EXPORTER": "none"}, "off"),
        ({"IMET_TRACING": "file:/tmp/x.jsonl"}, "file:/tmp/x.jsonl"),
        ({"IMET_TRACING": "otlp", "OTEL_SDK_DISABLED": "true"}, "off"),
    ],
)
def test_the_mode_comes_from_imet_tracing_then_the_standard_variable(
    env: dict[str, str], mode: str
) -> None:
    assert tracing.tracing_mode(env) == mode


def test_an_unknown_exporter_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="IMET_TRACING"):
        tracing.configure_tracing("test", mode="zipkin")
    assert not tracing.enabled()


def test_off_nothing_is_traced_and_events_carry_a_child_of_the_request() -> None:
    assert not tracing.enabled()
    assert tracing.current_traceparent() is None
    assert tracing.start_publish_span(
        topic="t", partition=0, event_id="e", event_type="x", traceparent=STORED
    ) is None  # fmt: skip
    token = traceparent_var.set(STORED)
    try:
        with tracing.consume_span(consumer="c", topic="t", partition=0, event_id="e",
                                  event_type="x", traceparent=STORED):  # fmt: skip
            assert traceparent_var.get() == STORED  # untouched when off
        child = tracing.outbox_traceparent()
    finally:
        traceparent_var.reset(token)
    assert child.startswith(f"00-{TRACE}-")
    assert child.split("-")[2] != PARENT
    app = object()
    assert tracing.wrap_asgi(app) is app  # type: ignore[arg-type]
    assert tracing.aiohttp_trace_configs() == []


def test_log_lines_carry_the_request_trace_when_tracing_is_off() -> None:
    token = traceparent_var.set(STORED)
    try:
        assert add_trace_ids(None, "info", {}) == {"trace_id": TRACE, "span_id": PARENT}
    finally:
        traceparent_var.reset(token)
    forged = traceparent_var.set("00-" + "Z" * 32 + "-" + PARENT + "-01")
    try:
        assert add_trace_ids(None, "info", {}) == {}  # an event's header may be anything
    finally:
        traceparent_var.reset(forged)


@pytest.fixture
def tracing_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """tracing's own provider, in memory, without touching the global one."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=tracing.default_sampler())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_provider", provider)
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    yield exporter
    provider.shutdown()


def test_a_consumer_span_is_a_child_of_the_record_and_the_parent_of_its_follow_ups(
    tracing_on: InMemorySpanExporter,
) -> None:
    with tracing.consume_span(consumer="vetting", topic="imet.nomination.events", partition=2,
                              event_id="e1", event_type="imet.nomination.submitted.v1",
                              traceparent=STORED):  # fmt: skip
        inside = traceparent_var.get()
        follow_up = tracing.outbox_traceparent()
    (span,) = tracing_on.get_finished_spans()
    ctx = span.get_span_context()
    assert ctx is not None
    assert span.parent is not None
    assert f"{ctx.trace_id:032x}" == TRACE
    assert f"{span.parent.span_id:016x}" == PARENT
    assert span.kind is SpanKind.CONSUMER
    assert span.attributes is not None
    assert span.attributes["messaging.message.id"] == "e1"
    assert inside == follow_up == f"00-{TRACE}-{ctx.span_id:016x}-01"


def test_a_publish_span_replaces_the_records_traceparent_and_records_a_refusal(
    tracing_on: InMemorySpanExporter,
) -> None:
    started = tracing.start_publish_span(
        topic="imet.nomination.events", partition=1, event_id="e2", event_type="x",
        traceparent=STORED,
    )  # fmt: skip
    assert started is not None
    span, carried = started
    tracing.end_publish_spans([span], TimeoutError("no ack"))
    (done,) = tracing_on.get_finished_spans()
    ctx = done.get_span_context()
    assert ctx is not None
    assert done.parent is not None
    assert carried == f"00-{TRACE}-{ctx.span_id:016x}-01"
    assert f"{done.parent.span_id:016x}" == PARENT
    assert done.kind is SpanKind.PRODUCER
    assert done.status.status_code.name == "ERROR"


def test_statements_outside_an_entry_point_are_not_traced(
    tracing_on: InMemorySpanExporter,
) -> None:
    tracer = tracing._tracer
    with tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT):
        pass
    with (
        tracer.start_as_current_span("GET /x", kind=SpanKind.SERVER),
        tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT),
    ):
        assert tracing.current_traceparent() is not None
        with tracer.start_as_current_span("BEGIN;", kind=SpanKind.CLIENT):
            pass  # transaction control: never a span
    assert sorted(s.name for s in tracing_on.get_finished_spans()) == ["GET /x", "SELECT"]


def test_the_file_exporter_appends_one_json_line_per_span(tmp_path: Path) -> None:
    path = tmp_path / "spans" / "svc.jsonl"
    exporter = tracing.JsonLinesSpanExporter(str(path))
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    with (
        tracer.start_as_current_span("outer", kind=SpanKind.SERVER) as outer,
        tracer.start_as_current_span("inner"),
    ):
        pass
    provider.shutdown()
    inner, outer_line = (json.loads(line) for line in path.read_text().splitlines())
    assert inner["name"] == "inner"
    assert outer_line["name"] == "outer"
    assert (
        inner["parent_span_id"]
        == outer_line["span_id"]
        == f"{outer.get_span_context().span_id:016x}"
    )
    assert inner["trace_id"] == outer_line["trace_id"]
    assert outer_line["kind"] == "SERVER"
    assert outer_line["parent_span_id"] is None


def test_library_loggers_write_the_same_json_with_the_trace_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After configure_logging a stdlib record (aiokafka's, uvicorn's...) is a JSON line of the
    same processors as our own, with the logger's name and the trace ids."""
    stream = io.StringIO()
    monkeypatch.setattr(observability, "_configured", False)
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    token = traceparent_var.set(STORED)
    try:
        configure_logging(service="svc")
        logging.getLogger("aiokafka.test").warning("broker %s gone", "b1")
        observability.get_logger("own").info("own.event", n=1)
        thread = threading.Thread(target=logging.getLogger("opentelemetry.x").warning, args=("t",))
        thread.start()
        thread.join()
    finally:
        traceparent_var.reset(token)
        root.handlers = saved_handlers
        root.setLevel(saved_level)
        structlog.contextvars.clear_contextvars()
        structlog.reset_defaults()
    library, own, other_thread = (json.loads(line) for line in stream.getvalue().splitlines())
    assert other_thread["service"] == "svc"  # no context variables in a thread of its own
    assert library["event"] == "broker b1 gone"
    assert library["logger"] == "aiokafka.test"
    assert own["event"] == "own.event"
    for line in (library, own):
        assert line["level"] in {"warning", "info"}
        assert line["service"] == "svc"
        assert (line["trace_id"], line["span_id"]) == (TRACE, PARENT)
        assert "timestamp" in line


@pytest.mark.parametrize(
    ("env", "description"),
    [
        ({}, "EntryPointRoots(1.0)"),
        (
            {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25"},
            "EntryPointRoots(0.25)",
        ),
        (
            {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "x"},
            "EntryPointRoots(1.0)",
        ),
        ({"OTEL_TRACES_SAMPLER": "always_on"}, None),
    ],
)
def test_the_sampler_is_ours_unless_another_is_named(
    env: dict[str, str], description: str | None
) -> None:
    sampler = tracing.default_sampler(env)
    if description is None:
        assert sampler is None  # the SDK reads OTEL_TRACES_SAMPLER itself
    else:
        assert sampler is not None
        assert description in sampler.get_description()
