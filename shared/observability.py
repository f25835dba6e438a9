"""Structured logging and the request/trace context that travels into events.

Log lines are JSON with stable event names (`outbox.published`, `inbox.duplicate`, ...).
They never carry personal data: log ids and counts, not names, dates of birth or passports.
Every line carries `trace_id` and `span_id` when a trace is current (the active OpenTelemetry
span, else the request's or the handled event's traceparent). The standard library's loggers
(uvicorn, aiokafka, sqlalchemy, ...) go through the same processors: one JSON format per process.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
from contextvars import ContextVar
from typing import Any

import structlog
from opentelemetry import trace

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)

_configured = False


def configure_logging(
    *, level: str = "INFO", json_output: bool = True, service: str = "imet"
) -> None:
    """Configure structlog + stdlib logging once per process."""
    global _configured
    if _configured:
        return
    _configured = True
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_context,
        add_trace_ids,
        # Lines from other threads (an exporter's, a driver's) lack the context variables.
        _ProcessFields(service=service, pid=os.getpid()),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_output else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service, pid=os.getpid())
    # Library loggers: rendered by the same processors (plus the logger's name).
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class _ProcessFields:
    def __init__(self, **fields: Any) -> None:
        self.fields = fields

    def __call__(self, _: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        for key, value in self.fields.items():
            event_dict.setdefault(key, value)
        return event_dict


def _add_context(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    rid = request_id_var.get()
    if rid and "request_id" not in event_dict:
        event_dict["request_id"] = rid
    return event_dict


def add_trace_ids(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """`trace_id` and `span_id`: of the active OpenTelemetry span when tracing is on (the API
    answers an invalid span when it is off), else of the request's / event's traceparent."""
    if "trace_id" in event_dict:
        return event_dict
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event_dict["trace_id"] = f"{ctx.trace_id:032x}"
        event_dict["span_id"] = f"{ctx.span_id:016x}"
        return event_dict
    parsed = parse_traceparent(traceparent_var.get())  # an event's may be anything
    if parsed is not None:
        event_dict["trace_id"], event_dict["span_id"] = parsed[0], parsed[1]
    return event_dict


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)


# W3C Trace Context, level 1: `version-traceid-parentid-flags`, lower-case hex. Version ff is
# forbidden; a later version may append fields after the flags ("-..."), which we drop: we
# only ever emit version 00. All-zero trace or parent ids are invalid.
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?")
TRACEPARENT_MAX_LENGTH = 512  # longer values are refused before the pattern runs
_ZERO_TRACE = "0" * 32
_ZERO_PARENT = "0" * 16


def parse_traceparent(value: str | None) -> tuple[str, str, str] | None:
    """(trace_id, parent_id, flags) of a valid W3C traceparent; None for anything else.

    Only a well-formed value may continue a trace: a forged or garbled one (wrong length,
    upper-case or non-hex digits, version ff, zero ids, version 00 with extra fields) would
    otherwise travel into every downstream header, log line and event.
    """
    if not value or len(value) > TRACEPARENT_MAX_LENGTH:
        return None
    match = _TRACEPARENT.fullmatch(value)
    if match is None:
        return None
    version, trace_id, parent_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest is not None):
        return None
    if trace_id == _ZERO_TRACE or parent_id == _ZERO_PARENT:
        return None
    return trace_id, parent_id, flags


def new_traceparent() -> str:
    """A fresh W3C traceparent (version 00, sampled)."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def child_traceparent(parent: str | None) -> str:
    """Same trace, new span id (version 00); a fresh trace when the parent is missing or is not
    a valid W3C traceparent (`parse_traceparent`): an invalid one is never propagated."""
    parsed = parse_traceparent(parent)
    if parsed is None:
        return new_traceparent()
    trace_id, _, flags = parsed
    return f"00-{trace_id}-{secrets.token_hex(8)}-{flags}"
