"""Wait for an eventually-true condition (events are asynchronous) with a hard deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    until: Callable[[T], bool],
    *,
    timeout: float = 20.0,
    interval: float = 0.1,
) -> T:
    """Call `probe` until `until(result)` holds; return the last result (the caller asserts)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if until(result) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(interval)
