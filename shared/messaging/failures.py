"""What went wrong while applying a record, and what to do about it.

Four kinds, because they call for different answers:
- `POISON`: the record itself is unusable (not a CloudEvent, a body that fails its model).
  Dead-letter at once; no retry can fix it.
- `INFRASTRUCTURE`: the database (or the process's own pool) is unreachable or shutting down.
  Not the record's fault: retry until it returns, never dead-letter.
- `TRANSIENT`: a timeout, a cancelled statement, a lock timeout, a serialization failure or a
  deadlock while the database answers. Usually contention that clears; but a reaction that
  ALWAYS times out would block its partition forever, so it is bounded too (more generously
  than a failure) and then dead-lettered. The caller confirms the database is healthy before
  counting an attempt (a timeout can also mean the database went away).
- `FAILURE`: anything else the reaction raised. Bounded retries, then the DLQ.

`describe` gives each failure a class and a stable code for headers, logs and metrics. It never
includes the exception's message: a database error quotes the rejected input (issue 10, review).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import asyncpg
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InterfaceError as SqlInterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.db.admission import ServiceBusy


class Kind(StrEnum):
    POISON = "poison"
    INFRASTRUCTURE = "infrastructure"
    TRANSIENT = "transient"
    FAILURE = "failure"


class PoisonMessage(Exception):
    """A record no retry can fix. `code` says why; `event_id` is known when the envelope was."""

    def __init__(
        self, code: str, detail: str, *, event_id: str | None = None, event_type: str = ""
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.event_id = event_id
        self.event_type = event_type


class Stopping(Exception):
    """The process is shutting down: leave the record in hand for the next owner."""


class LeaseLost(Exception):
    """The connection holding our advisory locks is gone: our partitions may be another's now."""


@dataclass(frozen=True)
class Failure:
    kind: Kind
    error_class: str
    code: str
    detail: str | None = None


# SQLSTATEs: connection exceptions (class 08), shutdowns, too many connections, out of resources.
_INFRASTRUCTURE = {"57P01", "57P02", "57P03", "53000", "53100", "53200", "53300", "58000"}
# Cancelled statements (statement_timeout), lock timeouts, serialization failures, deadlocks.
_TRANSIENT = {"57014", "55P03", "40001", "40P01", "25P03"}


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE behind a SQLAlchemy or asyncpg error, if there is one."""
    for candidate in (exc, getattr(exc, "orig", None), getattr(exc, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    orig = getattr(exc, "orig", None)
    cause = getattr(orig, "__cause__", None)
    code = getattr(cause, "sqlstate", None)
    return code if isinstance(code, str) else None


def _error_class(exc: BaseException) -> str:
    """The most telling class name: the driver's (`QueryCanceledError`) behind SQLAlchemy's."""
    orig = getattr(exc, "orig", None)
    for candidate in (exc, orig, getattr(orig, "__cause__", None), exc.__cause__):
        if isinstance(candidate, asyncpg.PostgresError):
            return type(candidate).__name__
    return type(exc).__name__


def describe(exc: BaseException) -> Failure:
    name = _error_class(exc)
    if isinstance(exc, PoisonMessage):
        return Failure(Kind.POISON, name, exc.code, exc.detail)
    if isinstance(exc, PoolTimeout):
        return Failure(Kind.INFRASTRUCTURE, name, "pool.timeout")
    if isinstance(exc, ServiceBusy):  # the admission queue is full: load, not the record
        return Failure(Kind.INFRASTRUCTURE, name, "admission.busy")
    code = sqlstate(exc)
    if code is not None:
        if code.startswith("08") or code in _INFRASTRUCTURE:
            return Failure(Kind.INFRASTRUCTURE, name, f"sqlstate.{code}")
        if code in _TRANSIENT:
            return Failure(Kind.TRANSIENT, name, f"sqlstate.{code}")
        return Failure(Kind.FAILURE, name, f"sqlstate.{code}")
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return Failure(Kind.INFRASTRUCTURE, name, "connection.invalidated")
    if isinstance(exc, TimeoutError):  # before OSError: TimeoutError is one
        return Failure(Kind.TRANSIENT, name, "timeout")
    connection_errors = (
        OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError, SqlInterfaceError,
        asyncpg.InternalClientError,
    )  # fmt: skip
    if isinstance(exc, connection_errors):
        return Failure(Kind.INFRASTRUCTURE, name, "connection")
    return Failure(Kind.FAILURE, name, "reaction.error")


def validation_detail(exc: ValidationError) -> str:
    """Where a body failed its model (field paths only, never the values)."""
    fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
    return f"body failed validation at: {', '.join(fields)}"[:500]


def is_kafka_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("aiokafka") or isinstance(exc, TimeoutError)


def is_infrastructure(exc: BaseException) -> bool:
    return describe(exc).kind is Kind.INFRASTRUCTURE or isinstance(exc, LeaseLost)
