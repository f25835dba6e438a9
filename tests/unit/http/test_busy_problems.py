"""Contention is answered, never crashed on: busy refusals are 503 problems with Retry-After."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, InternalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.db.admission import ServiceBusy
from shared.db.engine import driver_lost_the_connection
from shared.http.problems import PROBLEM_BASE, install_problem_handlers


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/queue-full")
    async def queue_full() -> None:
        raise ServiceBusy("10 transactions were in progress", retry_after=2)

    @app.post("/pool-empty")
    async def pool_empty() -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 10 reached")

    @app.post("/database-gone")
    async def database_gone() -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    @app.post("/database-shutting-down")
    async def database_shutting_down() -> None:
        # What asyncpg raises on connect while PostgreSQL restarts, as SQLAlchemy wraps it: a
        # plain DBAPIError (not OperationalError) carrying SQLSTATE 57P03.
        driver_error = Exception("the database system is shutting down")
        driver_error.sqlstate = "57P03"  # type: ignore[attr-defined]
        raise DBAPIError("connect", None, driver_error)

    @app.post("/driver-lost-the-protocol")
    async def driver_lost_the_protocol() -> None:
        # What a restart mid-statement once gave (issue 17): asyncpg's own protocol error, as
        # SQLAlchemy wraps it once the engine counted it as a disconnect.
        driver_error = asyncpg.InternalClientError("got result for unknown protocol state 3")
        raise InternalError("INSERT ...", None, driver_error, connection_invalidated=True)

    @app.post("/internal-server-error")
    async def internal_server_error() -> None:
        driver_error = Exception("cache lookup failed for type 1")
        driver_error.sqlstate = "XX000"  # type: ignore[attr-defined]
        raise InternalError("SELECT ...", None, driver_error)

    @app.middleware("http")
    async def claims_before_the_route(request: Any, call_next: Any) -> Any:
        # Like the Idempotency-Key claim: middleware that meets the database before any route.
        if request.url.path == "/claim-meets-no-database":
            raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")
        return await call_next(request)

    @app.post("/claim-meets-no-database")
    async def never_reached() -> None:
        raise AssertionError("the middleware answers first")

    return app


async def _post(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(path)


async def test_a_request_that_waited_its_bounded_turn_is_a_503_busy_problem_with_retry_after() -> (
    None
):
    response = await _post("/queue-full")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "2"
    assert response.json()["type"] == PROBLEM_BASE + "busy"


async def test_an_exhausted_connection_pool_is_a_503_busy_problem_not_a_500() -> None:
    response = await _post("/pool-empty")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == PROBLEM_BASE + "busy"
    assert "QueuePool" not in response.text


async def test_a_database_that_went_away_under_the_request_is_a_503_not_a_500() -> None:
    response = await _post("/database-gone")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == PROBLEM_BASE + "unavailable"
    assert "5432" not in response.text


async def test_a_database_shutting_down_at_connect_is_a_503_unavailable_not_a_500() -> None:
    response = await _post("/database-shutting-down")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == PROBLEM_BASE + "unavailable"
    assert "shutting down" not in response.text


async def test_a_database_gone_under_a_middleware_is_a_503_not_a_500() -> None:
    """Found by the PostgreSQL-restart fault: 30 imports answered 500 because the error was
    raised in the idempotency middleware, outside the route's exception handlers."""
    response = await _post("/claim-meets-no-database")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEM_BASE + "unavailable"


async def test_a_connection_the_driver_lost_mid_statement_is_a_503_not_a_500() -> None:
    """Found by the PostgreSQL-restart fault (CI, issue 17): one import answered 500 when the
    server terminated its session mid-statement and asyncpg's protocol gave up."""
    response = await _post("/driver-lost-the-protocol")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"] == PROBLEM_BASE + "unavailable"
    assert "unknown protocol state" not in response.text


async def test_a_genuine_internal_database_error_stays_a_500_problem() -> None:
    response = await _post("/internal-server-error")

    assert response.status_code == 500
    assert response.json()["type"] == PROBLEM_BASE + "internal-error"
    assert "cache lookup" not in response.text


class _Context:
    """The two attributes of SQLAlchemy's ExceptionContext the listener reads and writes."""

    def __init__(self, original: BaseException) -> None:
        self.original_exception = original
        self.is_disconnect = False


def test_the_engine_counts_asyncpg_protocol_errors_as_disconnects_and_nothing_else() -> None:
    wrapped = RuntimeError("dbapi adapter error")
    wrapped.__cause__ = asyncpg.InternalClientError("cannot close prepared statement; refs == 1")
    lost, direct, unrelated = (
        _Context(wrapped),
        _Context(asyncpg.InternalClientError("x")),
        (_Context(asyncpg.UniqueViolationError("duplicate key"))),
    )

    for context in (lost, direct, unrelated):
        driver_lost_the_connection(context)  # type: ignore[arg-type]

    assert (lost.is_disconnect, direct.is_disconnect, unrelated.is_disconnect) == (
        True, True, False,
    )  # fmt: skip
