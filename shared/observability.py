"""Structured logging and the request/trace context that travels into events.

Log lines are JSON with stable event names (`outbox.published`, `inbox.duplicate`, ...).
They never carry personal data: log ids and counts, not names, dates of birth or passports.
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
    logging.basicConfig(
        level=level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
    for noisy in ("aiokafka", "kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _add_context(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    rid = request_id_var.get()
    if rid and "request_id" not in event_dict:
        event_dict["request_id"] = rid
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
