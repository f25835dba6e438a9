"""RFC 9457 problem details for every error a service or the gateway answers.

Every 4xx/5xx is `application/problem+json` with a stable `type`, a `title`, `status`,
`detail`, the `instance` path and the request id; validation errors list the offending fields
(location and message, never the rejected value, which may be personal data). An unexpected
exception becomes a 500 problem without a stack trace; bad input never reaches that path.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from shared.errors import DomainError
from shared.observability import get_logger, request_id_var

PROBLEM_BASE = "https://imet.example/problems/"
PROBLEM_JSON = "application/problem+json"

_STATUS_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    411: ("length-required", "Length required"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Request validation failed"),
    428: ("precondition-required", "Precondition required"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    502: ("bad-gateway", "Upstream service unavailable"),
    503: ("unavailable", "Service unavailable"),
    504: ("gateway-timeout", "Upstream service timed out"),
}

log = get_logger("http.problems")


class ProblemException(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        type: str,
        title: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}


def problem_body(
    status: int,
    type_: str,
    title: str,
    detail: str | None,
    instance: str | None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_ if "://" in type_ or type_.startswith("urn:") else PROBLEM_BASE + type_,
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    rid = request_id_var.get()
    if rid:
        body["request_id"] = rid
    if extra:
        body.update(extra)
    return body


def problem_response(
    status: int,
    type_: str,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body = problem_body(status, type_, title, detail, instance, extra)
    return Response(
        content=json.dumps(body, default=str),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        errors.append(
            {
                "field": ".".join(str(p) for p in err.get("loc", ())),
                "message": err.get("msg", "invalid"),
                "code": err.get("type", "invalid"),
            }
        )
    return errors


# What the database refused, when input slipped past validation: never a 500 for bad input.
_SQLSTATE_PROBLEMS: dict[str, tuple[int, str, str]] = {
    "22001": (422, "invalid-value", "A value is too long"),
    "22003": (422, "invalid-value", "A number is out of range"),
    "22007": (422, "invalid-value", "A date or time is invalid"),
    "22008": (422, "invalid-value", "A date or time is out of range"),
    "22021": (422, "invalid-value", "Text contains characters that cannot be stored"),
    "22023": (422, "invalid-value", "A value is invalid"),
    "22P02": (422, "invalid-value", "A value has the wrong form"),
    "22P05": (422, "invalid-value", "Text contains characters that cannot be stored"),
    "23502": (422, "invalid-value", "A required value is missing"),
    "23503": (409, "conflict", "A referenced resource does not exist or is still referenced"),
    "23505": (409, "conflict", "This conflicts with an existing resource"),
    "23514": (409, "conflict", "The change would break a rule of the current state"),
    "23P01": (409, "conflict", "This conflicts with an existing resource"),
    "40001": (503, "busy", "Concurrent update; retry the request"),
    "40P01": (503, "busy", "Concurrent update; retry the request"),
    "55P03": (503, "busy", "The resource is locked; retry the request"),
    "57014": (503, "busy", "The request took too long; retry it"),
}

# SQLSTATE classes that say the server cannot serve now, whatever the request: connection
# exceptions (08), insufficient resources (53: too many connections, out of memory), operator
# intervention (57P: admin/crash shutdown, "the database system is shutting down" at connect).
# The driver may wrap them as a plain DBAPIError, so the class decides, not the wrapper.
_UNAVAILABLE_CLASSES = ("08", "53", "57P")


def sqlstate_of(exc: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE behind a (SQLAlchemy-wrapped) driver error, if any."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return None
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(code, str):
            return code
        seen = getattr(seen, "orig", None) or seen.__cause__
    return None


def _class_chain(exc: BaseException) -> str:
    """`sqlalchemy.exc.InternalError <- asyncpg.exceptions._base.InternalClientError`, say."""
    names: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(names) < 4:
        names.append(f"{type(seen).__module__}.{type(seen).__qualname__}")
        seen = seen.__cause__ or seen.__context__
    return " <- ".join(names)


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error a FastAPI app can raise through problem+json."""

    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemException)
        return problem_response(
            exc.status, exc.type, exc.title, exc.detail,
            instance=request.url.path, headers=exc.headers, extra=exc.extra,
        )  # fmt: skip

    async def on_domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        return problem_response(
            exc.status, exc.code, exc.title, exc.detail,
            instance=request.url.path, headers=exc.headers() or None, extra=exc.extra or None,
        )  # fmt: skip

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        slug, title = _STATUS_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        return problem_response(
            exc.status_code, slug, title, detail,
            instance=request.url.path, headers=dict(exc.headers or {}),
        )  # fmt: skip

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc)
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return problem_response(
            422, "validation-error", "Request validation failed",
            f"Invalid fields: {fields}" if fields else None,
            instance=request.url.path, extra={"errors": errors},
        )  # fmt: skip

    async def on_database(request: Request, exc: Exception) -> Response:
        code = sqlstate_of(exc)
        mapped = _SQLSTATE_PROBLEMS.get(code or "")
        if mapped is None and (code or "").startswith(_UNAVAILABLE_CLASSES):
            mapped = (503, "unavailable", "The database is unavailable; retry the request")
        if isinstance(exc, OperationalError | InterfaceError) and mapped is None:
            mapped = (503, "unavailable", "The database is unavailable; retry the request")
        if mapped is None and getattr(exc, "connection_invalidated", False):
            # The connection died under the statement (shared/db/engine.py counts the driver's
            # own protocol failures too): not the request's fault - unavailable, retry.
            mapped = (503, "unavailable", "The database is unavailable; retry the request")
        if mapped is None:
            return await internal_error(request, exc)
        status, slug, title = mapped
        log.warning("http.database_refused", path=request.url.path, sqlstate=code, status=status)
        headers = {"Retry-After": "1"} if status == 503 else None
        return problem_response(status, slug, title, instance=request.url.path, headers=headers)

    async def on_pool_timeout(request: Request, exc: Exception) -> Response:
        # Every admitted unit of work has a connection (shared/db/admission.py): a pool timeout
        # means reads and bookkeeping outran the overflow. Busy, not broken: retry later.
        log.warning("http.database_pool_exhausted", path=request.url.path)
        return problem_response(
            503, "busy", "The service is busy; retry the request",
            "No database connection became free in time.",
            instance=request.url.path, headers={"Retry-After": "1"},
        )  # fmt: skip

    async def on_connection_lost(request: Request, exc: Exception) -> Response:
        # The database went away under the request (a restart, a failover): not the request's
        # fault and not a bug - unavailable, retry (the Idempotency-Key makes a retry safe).
        log.warning("http.database_unreachable", path=request.url.path, error=type(exc).__name__)
        return problem_response(
            503, "unavailable", "The database is unavailable; retry the request",
            instance=request.url.path, headers={"Retry-After": "1"},
        )  # fmt: skip

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Starlette runs this handler in its outermost middleware, so it also receives what
        # escaped OUR middleware (e.g. the Idempotency-Key claim meeting a restarting database),
        # which the specific handlers below never see: dispatch those first.
        for cls in type(exc).__mro__:
            specific = outer_dispatch.get(cls)
            if specific is not None:
                return await specific(request, exc)
        return await internal_error(request, exc)

    async def internal_error(request: Request, exc: Exception) -> Response:
        # The class chain and SQLSTATE say where it broke; the message is not logged (it may
        # quote request values, i.e. personal data).
        log.error(
            "http.unhandled_error", path=request.url.path, error_type=type(exc).__name__,
            error_chain=_class_chain(exc), sqlstate=sqlstate_of(exc),
        )  # fmt: skip
        return problem_response(
            500, "internal-error", "Internal server error",
            "The server failed to process the request; it has been logged.",
            instance=request.url.path,
        )  # fmt: skip

    outer_dispatch: dict[type[BaseException], Callable[[Request, Any], Awaitable[Response]]] = {
        ProblemException: on_problem,
        DomainError: on_domain,
        DBAPIError: on_database,
        PoolTimeout: on_pool_timeout,
        OSError: on_connection_lost,
        asyncpg.PostgresConnectionError: on_connection_lost,
        asyncpg.InterfaceError: on_connection_lost,
    }
    app.add_exception_handler(ProblemException, on_problem)
    app.add_exception_handler(DomainError, on_domain)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(DBAPIError, on_database)
    app.add_exception_handler(PoolTimeout, on_pool_timeout)
    for lost in (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
        app.add_exception_handler(lost, on_connection_lost)
    app.add_exception_handler(Exception, on_unexpected)
