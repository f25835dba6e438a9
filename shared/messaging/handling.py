"""The retry policy of one partition's records: batch fast path, then one record at a time.

A run of records is first applied in one transaction. Any failure falls back to one record at
a time, which isolates the culprit. Then, by the kind of failure (failures.py):
- poison: dead-lettered at once;
- infrastructure (the database unreachable): retried with capped backoff until it returns,
  never dead-lettered, never counted against the record;
- transient (timeouts, cancels, lock timeouts, serialization failures) while the database
  answers a ping: up to `transient_attempts` tries, then dead-lettered;
- any other failure of the reaction: up to `retry_attempts` tries, then dead-lettered.
While a record is being retried its partition does not move: that is reported as a blocked
partition (`imet_consumer_blocked_partitions`, log events `consumer.partition_blocked` and
`consumer.partition_unblocked`), so a stuck partition is visible, not silent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.messaging.applier import Applier
from shared.messaging.backoff import Backoff, sleep_or_stop
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.failures import Failure, Kind, LeaseLost, Stopping, describe
from shared.messaging.metrics import BLOCKED, DEAD, RETRIES
from shared.observability import get_logger

log = get_logger("messaging.consumer")


async def _always_healthy() -> bool:
    return True


class RecordHandler:
    def __init__(
        self,
        *,
        name: str,
        applier: Applier,
        dead_letters: DeadLetters,
        retry_attempts: int,
        retry_backoff_seconds: float,
        transient_attempts: int = 8,
    ) -> None:
        self.name = name
        self.applier = applier
        self.dead_letters = dead_letters
        self.retry_attempts = retry_attempts
        self.retry_backoff_seconds = retry_backoff_seconds
        self.transient_attempts = transient_attempts
        #: Set by the consumer's session: does the database answer right now?
        self.database_healthy: Callable[[], Awaitable[bool]] = _always_healthy
        #: Set by the consumer's session: have we lost the connection holding our leases?
        self.lease_lost: Callable[[], bool] = lambda: False

    async def handle_batch(
        self, tp: TopicPartition, records: list[ConsumerRecord[Any, Any]], stop: asyncio.Event
    ) -> None:
        if len(records) > 1:
            try:
                await self.applier.apply(tp, records)
                return
            except Exception as exc:
                log.info("consumer.batch_fallback", consumer=self.name, error=type(exc).__name__)
        for record in records:
            if stop.is_set():
                raise Stopping
            await self.handle(tp, record, stop)

    async def handle(
        self, tp: TopicPartition, record: ConsumerRecord[Any, Any], stop: asyncio.Event
    ) -> None:
        tries = {Kind.TRANSIENT: 0, Kind.FAILURE: 0}
        waiting = Backoff(initial=0.1, maximum=5.0)
        blocked_since: float | None = None
        outcome = "stopped"
        try:
            while True:
                try:
                    await self.applier.apply(tp, [record])
                    outcome = "applied"
                    return
                except Exception as exc:
                    failure = describe(exc)
                if failure.kind is Kind.POISON:
                    await self._dead_letter(tp, record, failure, attempts=1, stop=stop)
                    outcome = "dead_lettered"
                    return
                if failure.kind is Kind.TRANSIENT and not await self.database_healthy():
                    failure = Failure(Kind.INFRASTRUCTURE, failure.error_class, failure.code)
                RETRIES.labels(self.name, failure.kind.value).inc()
                if blocked_since is None:
                    blocked_since = time.monotonic()
                    self._blocked(tp, record, failure)
                if failure.kind is Kind.INFRASTRUCTURE:
                    if self.lease_lost():
                        raise LeaseLost  # the partition may be another's now; it will retry
                    delay = waiting.next()
                else:
                    tries[failure.kind] += 1
                    limit = self.retry_attempts
                    if failure.kind is Kind.TRANSIENT:
                        limit = self.transient_attempts
                    if tries[failure.kind] >= limit:
                        await self._dead_letter(
                            tp, record, failure, attempts=tries[failure.kind], stop=stop
                        )
                        outcome = "dead_lettered"
                        return
                    delay = self.retry_backoff_seconds * 2 ** (tries[failure.kind] - 1)
                    if failure.kind is Kind.TRANSIENT:
                        delay = waiting.next()
                if await sleep_or_stop(stop, delay):
                    raise Stopping
        finally:
            if blocked_since is not None:
                BLOCKED.labels(self.name).dec()
                log.info("consumer.partition_unblocked", consumer=self.name, topic=tp.topic,
                         partition=tp.partition, offset=record.offset, outcome=outcome,
                         seconds=round(time.monotonic() - blocked_since, 3))  # fmt: skip

    def _blocked(self, tp: TopicPartition, record: ConsumerRecord[Any, Any], f: Failure) -> None:
        BLOCKED.labels(self.name).inc()
        log.warning("consumer.partition_blocked", consumer=self.name, topic=tp.topic,
                    partition=tp.partition, offset=record.offset, kind=f.kind.value,
                    error=f.error_class, code=f.code)  # fmt: skip

    async def _dead_letter(
        self,
        tp: TopicPartition,
        record: ConsumerRecord[Any, Any],
        failure: Failure,
        *,
        attempts: int,
        stop: asyncio.Event,
    ) -> None:
        await self.dead_letters.send(tp, record, failure, attempts=attempts, stop=stop)
        event_id, event_type = self.applier.identity(record)
        waiting = Backoff(initial=0.1, maximum=5.0)
        while True:  # the DLQ has it: only the database can fail here, and it comes back
            try:
                await self.applier.dead_lettered(tp, record, event_id, event_type or "unknown")
                break
            except Exception as exc:
                if describe(exc).kind is not Kind.INFRASTRUCTURE:
                    raise
                if await sleep_or_stop(stop, waiting.next()):
                    raise Stopping from exc
        DEAD.labels(self.name).inc()
        log.error("consumer.dead_lettered", consumer=self.name, topic=tp.topic,
                  partition=tp.partition, offset=record.offset, attempts=attempts,
                  error=failure.error_class, code=failure.code)  # fmt: skip
