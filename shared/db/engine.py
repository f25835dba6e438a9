"""Async engine and sessions for one service, connected as the service's own database role.

Every connection sets `search_path` to the service's schema, so unqualified names resolve there
and nothing else is reachable: the role has no privileges on the other services' schemas.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


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
) -> AsyncEngine:
    engine = create_async_engine(
        asyncpg_sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
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
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
