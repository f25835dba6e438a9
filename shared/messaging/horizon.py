"""Commit order for the outbox: publish a row only when no earlier `seq` can still appear.

`outbox.seq` is taken from a sequence when the row is INSERTed, not when its transaction
commits. Two transactions can therefore commit out of `seq` order: T1 takes seq 10, T2 takes
11 and commits first. A relay that publishes what it sees would send 11, then 10 (issue 10 #3).

Debezium does not have the problem (it reads the WAL, in commit order); Eventuate's polling
publisher and Marten's "high water mark" do, and wait for gaps or skip them after a timeout.
We can know for sure instead of guessing: every transaction that inserts into `outbox` holds a
RowExclusiveLock on it from before it draws its `seq` until it ends. So:
1. read the sequence's last value L (sequences are not transactional: this counts in-progress
   transactions' rows too);
2. list the transactions that hold RowExclusiveLock on `outbox` now (`pg_locks`);
3. wait until each of them has ended.
Then every `seq <= L` is final: committed (and visible) or rolled back (a permanent gap). The
horizon only advances; `seq = horizon + 1` seen committed advances it too (nothing can come
before it), so the check runs only when a gap is seen - a rollback or concurrent writers - and
costs one `pg_locks` read, plus the remaining time of the transactions it waits for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg

from shared.messaging.metrics import GAP_WAITS
from shared.observability import get_logger

log = get_logger("messaging.relay")

_WRITERS = """
SELECT DISTINCT virtualtransaction FROM pg_locks
WHERE locktype = 'relation' AND relation = 'outbox'::regclass AND mode = 'RowExclusiveLock'
  AND pid <> pg_backend_pid()
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""
_STILL_RUNNING = """
SELECT count(*) FROM pg_locks
WHERE locktype = 'relation' AND relation = 'outbox'::regclass AND mode = 'RowExclusiveLock'
  AND virtualtransaction = ANY($1::text[])
"""


class HorizonWaitAborted(Exception):
    """Shutdown or lost leadership while waiting for writers."""


class OutboxHorizon:
    def __init__(self, service: str) -> None:
        self.service = service
        self.safe: int | None = None  # every seq <= safe is final; unknown until resolved
        self._sequence: str | None = None

    def publishable(self, rows: Sequence[Any]) -> list[Any]:
        """The prefix of `rows` (unpublished, in seq order) that may be published now."""
        out = []
        for row in rows:
            if self.safe is None or row["seq"] > self.safe + 1:
                break
            self.safe = max(self.safe, row["seq"])
            out.append(row)
        return out

    async def resolve(self, conn: asyncpg.Connection, aborted: Callable[[], bool]) -> None:
        """Move the horizon to the sequence's current value, waiting for open writers."""
        if self._sequence is None:
            self._sequence = await conn.fetchval("SELECT pg_get_serial_sequence('outbox', 'seq')")
        seq = await conn.fetchrow(f"SELECT last_value, is_called FROM {self._sequence}")  # noqa: S608
        last = int(seq["last_value"]) if seq["is_called"] else int(seq["last_value"]) - 1
        writers = [r["virtualtransaction"] for r in await conn.fetch(_WRITERS)]
        if writers:
            GAP_WAITS.labels(self.service).inc()
            started, pause = time.monotonic(), 0.002
            while await conn.fetchval(_STILL_RUNNING, writers):
                if aborted():
                    raise HorizonWaitAborted
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.1)
            log.debug("relay.waited_for_writers", service=self.service, writers=len(writers),
                      seconds=round(time.monotonic() - started, 3))  # fmt: skip
        self.safe = max(self.safe or 0, last)
