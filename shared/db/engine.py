"""Async engine and sessions for one service, connected as the service's own database role.

Every connection sets `search_path` to the service's schema, so unqualified names resolve there
and nothing else is reachable: the role has no privileges on the other services' schemas.

Liveness of pooled connections (ADR 0120): instead of SQLAlchemy's `pool_pre_ping` (a BEGIN,
`;`, ROLLBACK - three round trips - on every checkout, most of a point read's cost), a
connection is pinged on checkout only when it has sat unused in the pool for longer than
`ping_after_idle_seconds` (HikariCP's `aliveBypassWindowMs`: a connection used a moment ago is
alive). A failed ping raises `InvalidatePoolError`: the pool drops every connection older than
now and retries with a fresh one (what pre-ping did). A connection that dies while in use (the
database restarted under load) fails its statement as a disconnect: SQLAlchemy invalidates the
pool the same way and the request answers 503 `unavailable` (shared.http.problems), never 500.
"""

from __future__ import annotations

import time
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

#: What a read-side query runs on: a session, or a bare connection (`read_engine`, ADR 0155).
Reader = AsyncSession | AsyncConnection


def asyncpg_sqlalchemy_url(url: str) -> str:
    """`postgresql://...` (any driver) as the `postgresql+asyncpg://...` SQLAlchemy wants."""
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def plain_dsn(url: str) -> str:
    """The URL as a libpq/asyncpg DSN (`postgresql://...`, no driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def driver_lost_the_connection(context: ExceptionContext) -> None:
    """Count asyncpg's `InternalClientError` as a disconnect, so the pool discards the connection.

    asyncpg raises it when its protocol state and the server's parted ways - seen when PostgreSQL
    terminated every session mid-statement on a restart (issue 17). SQLAlchemy's asyncpg dialect
    does not count it as a disconnect, so the broken connection went back into the pool and the
    request answered 500. Marked, the error carries `connection_invalidated` (the HTTP layer
    answers 503 + Retry-After: shared/http/problems.py) and the next checkout opens a fresh one.
    """
    seen: BaseException | None = context.original_exception
    for _ in range(4):
        if seen is None:
            return
        if isinstance(seen, asyncpg.InternalClientError):
            context.is_disconnect = True
            return
        seen = seen.__cause__


def create_engine(
    url: str,
    *,
    schema: str,
    application_name: str,
    pool_size: int = 10,
    max_overflow: int = 10,
    lock_timeout_seconds: float = 10.0,
    command_timeout_seconds: float = 30.0,
    ping_after_idle_seconds: float = 1.0,
) -> AsyncEngine:
    engine = create_async_engine(
        asyncpg_sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,  # see ping_idle_connections
        pool_recycle=1800,
        connect_args={
            "server_settings": {
                "search_path": schema,
                "application_name": application_name,
                "lock_timeout": f"{int(lock_timeout_seconds * 1000)}ms",
                "idle_in_transaction_session_timeout": "60s",
            },
            "command_timeout": command_timeout_seconds,
        },
    )
    event.listen(engine.sync_engine, "handle_error", driver_lost_the_connection)
    ping_idle_connections(engine, ping_after_idle_seconds)
    return engine


_USED_AT = "imet_used_at"


def ping_idle_connections(engine: AsyncEngine, after_idle_seconds: float) -> None:
    """Ping a connection on checkout only if unused for more than `after_idle_seconds`."""

    def mark_used(_dbapi_connection: Any, record: Any, *_: Any) -> None:
        record.info[_USED_AT] = time.monotonic()

    def check_alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        used_at = record.info.get(_USED_AT)
        if used_at is not None and time.monotonic() - used_at <= after_idle_seconds:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise InvalidatePoolError("pooled connection failed its liveness ping") from exc
        record.info[_USED_AT] = time.monotonic()

    event.listen(engine.sync_engine, "connect", mark_used)
    event.listen(engine.sync_engine, "checkin", mark_used)
    event.listen(engine.sync_engine, "checkout", check_alive)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for a read-only request on the same pool: autocommit, so no BEGIN and no
    ROLLBACK around it (two round trips of a point read's three, ADR 0120). Each statement is
    its own snapshot: a read that must see several tables at one instant reads them in ONE
    statement (or uses `session_factory`). Never write through one."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
    )


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same pool for a hot read-only request, in autocommit: `async with
    read_engine(e).connect() as conn` gives a Core connection, no ORM session. A session's
    bookkeeping (its transaction object and identity-map snapshot on autobegin, the connection
    lookup per bind, expunge and rollback on close) was about a quarter of a one-statement
    read's CPU (ADR 0155). Each statement is its own snapshot; never write through it."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")
