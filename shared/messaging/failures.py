"""What went wrong while applying a record, and what to do about it."""

from __future__ import annotations

import asyncpg
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300"}


class PoisonMessage(Exception):
    """A record no retry can fix (not a CloudEvent, or a body that fails its model)."""


class Stopping(Exception):
    """The process is shutting down: leave the record in hand for the next owner."""


def is_transient(exc: BaseException) -> bool:
    """Infrastructure trouble (DB unreachable, serialization failure): retry, never dead-letter."""
    if isinstance(exc, OSError | asyncpg.InterfaceError | asyncpg.PostgresConnectionError):
        return True
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in _TRANSIENT_SQLSTATES or bool(exc.connection_invalidated)
    return False


def is_kafka_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("aiokafka") or isinstance(exc, TimeoutError)


def safe_error(exc: BaseException) -> str:
    """An error description for headers and logs that never echoes the rejected input."""
    if isinstance(exc, ValidationError):
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        return f"body failed validation at: {', '.join(fields)}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]
