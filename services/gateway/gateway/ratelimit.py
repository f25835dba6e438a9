"""Token-bucket rate limits, in memory, per gateway process.

Each key (a verified caller, or a client id / address at the token endpoint) has a bucket of
`burst` tokens refilled at `rate` per second; a request takes one or is refused with the time
until one is back (`Retry-After`). A check is a dict lookup and a few float operations.

Scope, stated plainly: the buckets live in ONE gateway process. N replicas (or workers) let a
caller through at up to N times the configured rate, and a restart forgets the buckets. That
bounds runaway clients and brute force at low cost; a strict global quota would need a
shared store (Redis, PostgreSQL) on the hot path, which this design does not pay for.

Memory is bounded: at `max_keys` buckets, full ones (callers idle long enough to have
refilled) are dropped first, then the oldest.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from gateway.proxy import Exchange
from shared.http.problems import ProblemException


class RateLimiter:
    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limiter needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = float(burst)
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, list[float]] = {}  # key -> [tokens left, time of last update]

    def take(self, key: str) -> float:
        """0.0 when the request may pass; else the seconds until it would."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._shrink(now)
            self._buckets[key] = [self.burst - 1.0, now]
            return 0.0
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens >= 1.0:
            bucket[0] = tokens - 1.0
            return 0.0
        bucket[0] = tokens
        return (1.0 - tokens) / self.rate

    def wait_time(self, key: str) -> float:
        """What `take` would answer, without taking anything."""
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        tokens = min(self.burst, bucket[0] + (self._clock() - bucket[1]) * self.rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _shrink(self, now: float) -> None:
        full = [
            key for key, (tokens, stamp) in self._buckets.items()
            if tokens + (now - stamp) * self.rate >= self.burst
        ]  # fmt: skip
        for key in full:
            del self._buckets[key]
        excess = len(self._buckets) - self.max_keys // 2
        if excess > 0:  # everyone is busy: forget the oldest half (insertion order)
            for key in list(self._buckets)[:excess]:
                del self._buckets[key]


def too_many_requests(wait: float, detail: str) -> ProblemException:
    """429 problem+json; Retry-After in whole seconds, never 0."""
    return ProblemException(
        429, "rate-limited", "Too many requests", detail,
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )  # fmt: skip


class RateLimit:
    """Proxy step after authentication: one bucket per verified caller (its token's subject;
    for client-credentials tokens that is the client id). Public health paths carry no
    principal and pass."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def __call__(self, exchange: Exchange) -> None:
        principal = exchange.principal
        if principal is None:
            return
        wait = self.limiter.take(principal.subject)
        if wait:
            raise too_many_requests(
                wait, f"More than {self.limiter.rate:g} requests per second; slow down."
            )
