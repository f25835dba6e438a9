"""Admission control: under contention, transactions queue in the process, for a bounded time.

Without it, a burst of requests (an agency system retrying at peak, 200 funding requests at
once) opens as many transactions as the pool allows; they then queue inside PostgreSQL on the
same row or advisory lock, and the ones at the back fail with `lock_timeout` (or wait on the
pool until its timeout) although nothing is wrong. With it, at most `limit` units of work of a
process are in the database at once and the rest wait their turn, first come first served, in
the process (where waiting costs nothing). The waits are bounded and sized together
(docs/adr/0011-contention-queues-in-the-process.md):

- a lock wait in the database is at most `(limit - 1) x` the longest critical section, which
  must stay below `lock_timeout`;
- the pool always has a connection for an admitted unit of work (`limit <= pool_size`), so the
  pool's own timeout never fires for one; reads and the idempotency store use the overflow;
- a caller that waited `wait_seconds` without being admitted gets `ServiceBusy`: a 503
  problem with `Retry-After` over HTTP, a transient error (retried) in the consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator
from typing import ClassVar

from prometheus_client import Counter, Gauge, Histogram

from shared.errors import DomainError

IN_USE = Gauge("imet_db_transactions_in_use", "Units of work in the database", ["service"])
WAITING = Gauge("imet_db_transactions_waiting", "Units of work waiting for admission", ["service"])
REFUSED = Counter(
    "imet_db_transactions_refused_total", "Units of work refused after the admission wait",
    ["service"],
)  # fmt: skip
WAITED = Histogram(
    "imet_db_admission_wait_seconds", "Time a unit of work waited for admission", ["service"],
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)  # fmt: skip


class ServiceBusy(DomainError):
    """Too much work at once: the request waited its turn for the bounded time and gave up."""

    code = "busy"
    status = 503
    title = "The service is busy; retry the request"
    transient: ClassVar[bool] = True

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class TransactionGate:
    """At most `limit` units of work at once; the others wait up to `wait_seconds`, in order."""

    def __init__(self, *, service: str, limit: int, wait_seconds: float) -> None:
        if limit < 1:
            raise ValueError("an admission limit must be at least 1")
        self.service = service
        self.limit = limit
        self.wait_seconds = wait_seconds
        self._slots = asyncio.Semaphore(limit)
        self._in_use = 0

    @property
    def in_use(self) -> int:
        return self._in_use

    @contextlib.asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        started = time.monotonic()
        WAITING.labels(self.service).inc()
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=self.wait_seconds)
        except TimeoutError:
            REFUSED.labels(self.service).inc()
            raise ServiceBusy(
                f"{self.limit} transactions were in progress and this one waited "
                f"{self.wait_seconds:g}s for its turn",
                retry_after=max(1, math.ceil(self.wait_seconds / 10)),
            ) from None
        finally:
            WAITING.labels(self.service).dec()
        WAITED.labels(self.service).observe(time.monotonic() - started)
        self._in_use += 1
        IN_USE.labels(self.service).inc()
        try:
            yield
        finally:
            self._in_use -= 1
            IN_USE.labels(self.service).dec()
            self._slots.release()
