"""The Kafka hops' spans: the CloudEvents `traceparent` header (ADR 0059) carries the context; the
relay sends each record inside a PRODUCER span, a consumer handles an event inside a CONSUMER
span, both children of the context the record carries (ADR 0090)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from shared import tracing as _state
from shared.observability import traceparent_var
from shared.tracing.http import current_traceparent


def _parent(traceparent: str | None) -> Any:
    return _state._propagator.extract({"traceparent": traceparent} if traceparent else {})


_NO_SPAN: AbstractContextManager[None] = nullcontext()


def consume_span(
    *, consumer: str, topic: str, partition: int, event_id: str, event_type: str,
    traceparent: str | None,
) -> AbstractContextManager[None]:  # fmt: skip
    """The CONSUMER span of handling one event: a child of the record's `traceparent`. The
    request context's traceparent is the span's meanwhile (so are the follow-up events')."""
    if _state._provider is None:
        return _NO_SPAN
    return _consume_span(consumer, topic, partition, event_id, event_type, traceparent)


@contextmanager
def _consume_span(
    consumer: str, topic: str, partition: int, event_id: str, event_type: str,
    traceparent: str | None,
) -> Iterator[None]:  # fmt: skip
    with _state._tracer.start_as_current_span(
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
    if _state._provider is None:
        return None
    span = _state._tracer.start_span(
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
