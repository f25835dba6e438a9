"""Wait for an eventually-true condition (events are asynchronous) with a hard deadline.

Deadlines are scaled by `IMET_TEST_TIME_SCALE` (tests/helpers/timing.py). A wait that runs out
says on stderr what it waited for and the last thing it saw, so a red test explains itself.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tests.helpers.timing import scaled

T = TypeVar("T")


def describe(fn: Callable[..., Any]) -> str:
    """A readable name for a probe or a condition (the lambda's source line if it is one)."""
    name = getattr(fn, "__qualname__", repr(fn))
    if "<lambda>" in name:
        try:
            return inspect.getsource(fn).strip()
        except (OSError, TypeError):
            return name
    return name


def gave_up(what: str, waited: float, last: Any) -> str:
    shown = repr(last)
    if len(shown) > 2000:
        shown = shown[:2000] + "..."
    message = f"gave up after {waited:.1f}s waiting for {what}; last seen: {shown}"
    sys.stderr.write(f"eventually: {message}\n")
    return message


async def eventually(
    probe: Callable[[], Awaitable[T]],
    until: Callable[[T], bool],
    *,
    timeout: float = 20.0,
    interval: float = 0.1,
    what: str | None = None,
) -> T:
    """Call `probe` until `until(result)` holds; return the last result (the caller asserts)."""
    limit = scaled(timeout)
    started = time.monotonic()
    pause = interval
    while True:
        result = await probe()
        if until(result):
            return result
        if time.monotonic() - started > limit:
            gave_up(what or describe(until), time.monotonic() - started, result)
            return result
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, max(interval, 0.5))
