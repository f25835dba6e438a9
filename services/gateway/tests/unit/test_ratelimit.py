"""Token buckets: a burst passes, the next request waits for a refill, idle callers recover."""

from __future__ import annotations

import pytest

from gateway.proxy import Exchange
from gateway.ratelimit import RateLimit, RateLimiter
from shared.auth.principal import Principal
from shared.http.problems import ProblemException


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_and_the_next_request_is_told_when_to_retry() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)

    waits = [limiter.take("client-a") for _ in range(4)]

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(0.5)


def test_a_caller_recovers_after_the_refill_time() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=1, clock=clock)
    limiter.take("client-a")
    refused = limiter.take("client-a")

    clock.now += refused

    assert limiter.take("client-a") == 0.0


def test_asking_how_long_to_wait_takes_nothing() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=Clock())

    waits = [limiter.wait_time("client-a") for _ in range(3)]

    assert waits == [0.0, 0.0, 0.0]
    assert limiter.take("client-a") == 0.0
    assert limiter.wait_time("client-a") == pytest.approx(1.0)


def test_callers_have_separate_buckets() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=Clock())
    limiter.take("client-a")

    assert limiter.take("client-b") == 0.0
    assert limiter.take("client-a") > 0


def test_the_number_of_buckets_stays_bounded_under_many_callers() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=1.0, burst=5, max_keys=100, clock=clock)

    for n in range(1000):
        limiter.take(f"stranger-{n}")

    assert len(limiter._buckets) <= 100


async def test_the_step_refuses_with_429_and_a_whole_second_retry_after() -> None:
    step = RateLimit(RateLimiter(rate=10.0, burst=1, clock=Clock()))
    exchange = Exchange({}, None, None, None, "rid", "tp", False,  # type: ignore[arg-type]
                        principal=Principal("client-a"))  # fmt: skip
    await step(exchange)

    with pytest.raises(ProblemException) as refused:
        await step(exchange)

    assert refused.value.status == 429
    assert refused.value.headers["Retry-After"] == "1"


async def test_the_step_lets_public_requests_without_a_principal_pass() -> None:
    step = RateLimit(RateLimiter(rate=1.0, burst=1, clock=Clock()))
    exchange = Exchange({}, None, None, None, "rid", "tp", True)  # type: ignore[arg-type]

    for _ in range(5):
        await step(exchange)

    assert exchange.principal is None
