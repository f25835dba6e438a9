"""Idle consumers stop fetching; the relay's notification wakes them (issue 16 item 5).

A consumer that fetches with a short wait costs the broker and itself CPU all the time, and the
dev broker (Tansu) does not answer a pending fetch when data arrives, so a long wait costs
latency instead. So a consumer that has seen nothing for `pause_after` seconds pauses its
partitions (plain Kafka protocol: no fetch requests at all) and waits for:
- a notification on `imet_published` naming one of its topics: relays send it right after the
  broker acknowledged a batch (all services share one database), so a fetch after the wake
  finds the records at once;
- `poll_every` seconds: one fetch round anyway, for records from producers that do not notify
  (another system, a replayed DLQ, a lost notification), so nothing waits longer than that;
- a lease change or shutdown.
Correctness never depends on a notification: they only shorten the wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer

from shared.messaging.backoff import wait_any

PUBLISHED_CHANNEL = "imet_published"


class IdleFetching:
    def __init__(self, topics: Iterable[str], *, pause_after: float, poll_every: float) -> None:
        self.topics = set(topics)
        self.pause_after = pause_after
        self.poll_every = poll_every
        self.wake = asyncio.Event()
        self._last_activity = time.monotonic()

    def on_published(self, topic: str) -> None:
        if topic in self.topics:
            self.active()
            self.wake.set()

    def active(self) -> None:
        self._last_activity = time.monotonic()

    def should_pause(self) -> bool:
        return time.monotonic() - self._last_activity >= self.pause_after

    async def pause_until_woken(
        self, kafka: AIOKafkaConsumer, *others: asyncio.Event, seconds: float
    ) -> None:
        """Pause every assigned partition until a wake, one of `others`, or the poll time."""
        assigned = list(kafka.assignment())
        self.wake.clear()
        kafka.pause(*assigned)
        try:
            timeout = min(self.poll_every, max(seconds, 0.0))
            await wait_any(self.wake, *others, seconds=timeout)
        finally:
            kafka.resume(*assigned)
