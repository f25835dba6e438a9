"""Course and class reads answered from memory while the catalog has not changed (ADR 0120,
ADR 0155).

Reference data is read far more than it is written. Each process keeps the rendered answers
(body bytes and ETag) of course detail and course search, labelled with the catalog's read
generation (`catalog.read_generation`, incremented by triggers in every transaction that
changes what those reads show, migration catalog_0003). A request may use an entry only if
the generation it reads NOW is the entry's: the check is one single-row read, and concurrent
requests share it - a request joins a read of the generation that started after the request
arrived (never one already under way), so it sees every write committed before it arrived,
whichever process made it. A cache can therefore never answer older data than PostgreSQL
would (read-your-writes across processes), at the cost of one tiny round trip per batch of
concurrent requests instead of a query and a render per request.

There are two counters, read together in the same statement: row 1 for what course reads show,
row 2 for class rows, seat counts included (catalog_0004). Course entries depend on row 1 only,
class-list entries on both: a seat hold drops the cached class lists and keeps the courses.

An entry is stored under the generation read BEFORE its data: a write committed in between
makes it look older than it is (a harmless miss), never newer. Failures of the check (the
database restarting, a loop change in tests) bypass the cache: the request reads through the
ordinary session and its errors map as usual (503, never 500).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog

log = structlog.get_logger(__name__)

_GENERATION = (
    "SELECT (SELECT generation FROM read_generation WHERE id = 1),"
    " (SELECT generation FROM read_generation WHERE id = 2)"
)
#: (course reads' generation, class rows' generation)
Generation = tuple[int, int]


@dataclass(frozen=True)
class Rendered:
    """A rendered 200 answer: its ETag and JSON body."""

    etag: str
    body: bytes


class ReadCache:
    """A bounded LRU of rendered reads, valid for one catalog read generation."""

    def __init__(
        self, dsn: str, schema: str, *, max_entries: int = 2048, timeout_seconds: float = 5.0
    ) -> None:
        self._dsn = dsn
        self._schema = schema
        self._max_entries = max_entries
        self._timeout = timeout_seconds
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._class_entries: OrderedDict[Hashable, Rendered] = OrderedDict()
        self._generation: Generation | None = None
        self._conn: asyncpg.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._running: asyncio.Future[Generation] | None = None
        self._next: asyncio.Future[Generation] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.hits = 0
        self.misses = 0
        self.generation_reads = 0

    async def generation(self) -> Generation | None:
        """The generation as of now (a read started after this call), None when unavailable."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (tests): nothing of the old one is usable
            self._loop, self._conn, self._running, self._next = loop, None, None, None
        if self._running is None:
            waiting = self._running = loop.create_future()
            self._start(waiting)
        else:  # a read is under way but began before we arrived: wait for the next one
            if self._next is None:
                self._next = loop.create_future()
            waiting = self._next
        try:
            return await asyncio.shield(waiting)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("catalog.read_cache_bypassed", error_type=type(exc).__name__)
            return None

    def _start(self, future: asyncio.Future[Generation]) -> None:
        task = asyncio.get_running_loop().create_task(self._read_into(future))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_into(self, future: asyncio.Future[Generation]) -> None:
        try:
            row = await self._fetch()
            value = (int(row[0]), int(row[1]))
        except Exception as exc:
            self._conn = None
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: waiters that were cancelled do not warn
        else:
            if self._generation is None or value[0] != self._generation[0]:
                self._entries.clear()
                self._class_entries.clear()
            elif value[1] != self._generation[1]:
                self._class_entries.clear()
            self._generation = value
            self.generation_reads += 1
            if not future.done():
                future.set_result(value)
        finally:
            if self._running is future:
                self._running, following = self._next, self._next
                self._next = None
                if following is not None:
                    self._start(following)

    async def _fetch(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(
                self._dsn,
                timeout=self._timeout,
                server_settings={
                    "search_path": self._schema,
                    "application_name": "imet-catalog-read-cache",
                },
            )
        return await self._conn.fetchrow(_GENERATION, timeout=self._timeout)

    def get(
        self, key: Hashable, generation: Generation | None, *, classes: bool = False
    ) -> Rendered | None:
        """The entry if `generation` (read after the request arrived) is the current one;
        `classes`: an entry of the class list (it depends on seat counts too)."""
        if generation is None or generation != self._generation:
            return None
        entries = self._class_entries if classes else self._entries
        found = entries.get(key)
        if found is None:
            self.misses += 1
            return None
        entries.move_to_end(key)
        self.hits += 1
        return found

    def put(
        self,
        key: Hashable,
        generation: Generation | None,
        rendered: Rendered,
        *,
        classes: bool = False,
    ) -> None:
        if generation is None or generation != self._generation:
            return  # the catalog changed since this was read: do not keep it
        entries = self._class_entries if classes else self._entries
        entries[key] = rendered
        entries.move_to_end(key)
        while len(entries) > self._max_entries:
            entries.popitem(last=False)

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                if self._loop is asyncio.get_running_loop():
                    await conn.close(timeout=2)
                else:
                    conn.terminate()
            except Exception:
                conn.terminate()
