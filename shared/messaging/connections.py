"""Dedicated PostgreSQL connections for session advisory locks (relay lead, consumer leases).

A session lock lives as long as its connection. If the process holding it vanishes without
closing its socket (node lost, network partition), PostgreSQL would keep the session, and the
lock, until TCP gives up: hours. Three things bound that to seconds (issue 10 item 4):
- `idle_session_timeout`: the server ends a session that sends nothing for
  `session_timeout_seconds`. A live holder sends a heartbeat every `heartbeat_seconds`
  (a `SELECT 1` when nothing else ran), so only a silent client is cut; this holds even when
  something in between still acknowledges TCP (a proxy, a NAT), where keepalives cannot tell.
- server-side TCP keepalive (`tcp_keepalives_*`) and `tcp_user_timeout`: the kernel notices a
  peer whose host is gone, and unacknowledged writes (notifications) time out.
- client side, every query has a timeout: a heartbeat that does not come back marks the
  connection `lost`, and the owner stops acting on its locks (it leaves, and joins again).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.observability import get_logger

log = get_logger("messaging.connections")

# What a lock connection's call raises when the connection, not the statement, failed.
_LOST = (
    OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.InternalClientError, TimeoutError,
)  # fmt: skip


@dataclass(frozen=True)
class LockTimings:
    heartbeat_seconds: float = 2.0
    session_timeout_seconds: float = 10.0

    @property
    def query_timeout(self) -> float:
        return max(self.session_timeout_seconds, 1.0)


def _ms(seconds: float) -> str:
    return str(max(int(seconds * 1000), 1))


def lock_server_settings(
    schema: str, application_name: str, timings: LockTimings
) -> dict[str, str]:
    keepalive_idle = max(int(timings.session_timeout_seconds / 2), 1)
    return {
        "search_path": schema,
        "application_name": application_name,
        "idle_session_timeout": _ms(timings.session_timeout_seconds),
        "idle_in_transaction_session_timeout": _ms(timings.session_timeout_seconds),
        "statement_timeout": _ms(timings.query_timeout),
        "lock_timeout": _ms(timings.query_timeout / 2),
        "tcp_keepalives_idle": str(keepalive_idle),
        "tcp_keepalives_interval": "2",
        "tcp_keepalives_count": "3",
        "tcp_user_timeout": _ms(timings.session_timeout_seconds),
    }


def work_server_settings(schema: str, application_name: str) -> dict[str, str]:
    """A connection that runs short statements only (the relay's claims and marks)."""
    return {
        "search_path": schema,
        "application_name": application_name,
        "statement_timeout": "30000",
        "lock_timeout": "10000",
        "idle_in_transaction_session_timeout": "60000",
        "tcp_keepalives_idle": "10",
        "tcp_keepalives_interval": "2",
        "tcp_keepalives_count": "3",
    }


class LockConnection:
    """One connection, used by one task at a time, kept alive by a heartbeat and watched."""

    def __init__(
        self, dsn: str, *, schema: str, application_name: str, timings: LockTimings
    ) -> None:
        self.dsn = dsn
        self.settings = lock_server_settings(schema, application_name, timings)
        self.timings = timings
        self.lost = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._use = asyncio.Lock()
        self._last_used = time.monotonic()
        self._heartbeat: asyncio.Task[None] | None = None

    async def open(self) -> LockConnection:
        self._conn = await asyncpg.connect(
            self.dsn, server_settings=self.settings, timeout=self.timings.query_timeout
        )
        self._heartbeat = asyncio.ensure_future(self._beat())
        return self

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._run("fetchval", query, *args)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._run("fetch", query, *args)
        return rows

    async def execute(self, query: str, *args: Any) -> str:
        status: str = await self._run("execute", query, *args)
        return status

    async def listen(self, channel: str, callback: Callable[[str], None]) -> None:
        """LISTEN on `channel`, bounded like every query: asyncpg's `add_listener` takes no
        timeout, and it holds the connection while it waits, so a connection gone silent at that
        moment would also starve the heartbeat and its holder would never notice."""
        if self._conn is None or self.lost.is_set():
            raise asyncpg.InterfaceError("lock connection lost")
        conn = self._conn
        try:
            async with self._use:
                await asyncio.wait_for(
                    conn.add_listener(channel, lambda *args: callback(args[-1])),
                    timeout=self.timings.query_timeout,
                )
                self._last_used = time.monotonic()
        except _LOST:
            self._mark_lost()
            raise

    async def ping(self) -> bool:
        """True when the database answers on this connection now."""
        try:
            await self._run("fetchval", "SELECT 1")
            return True
        except Exception:
            return False

    async def _run(self, method: str, query: str, *args: Any) -> Any:
        if self._conn is None or self.lost.is_set():
            raise asyncpg.InterfaceError("lock connection lost")
        try:
            async with self._use:
                result = await getattr(self._conn, method)(
                    query, *args, timeout=self.timings.query_timeout
                )
                self._last_used = time.monotonic()
                return result
        except _LOST:
            self._mark_lost()
            raise

    def _mark_lost(self) -> None:
        if not self.lost.is_set():
            log.warning("lock_connection.lost", application=self.settings["application_name"])
            self.lost.set()
        if self._conn is not None:
            self._conn.terminate()

    async def _beat(self) -> None:
        every = self.timings.heartbeat_seconds
        while not self.lost.is_set():
            await asyncio.sleep(max(every - (time.monotonic() - self._last_used), 0.01))
            if time.monotonic() - self._last_used >= every:
                with contextlib.suppress(Exception):
                    await self._run("fetchval", "SELECT 1")
            if self._conn is not None and self._conn.is_closed():
                self._mark_lost()

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(BaseException):
                await self._heartbeat
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await asyncio.wait_for(conn.close(), timeout=2)
            except Exception:
                conn.terminate()
