"""The retry policy of one partition's records: batch fast path, then one record at a time.

A run of records is first applied in one transaction. Any failure falls back to one record
at a time, which isolates a poison record or a failing reaction: poison is dead-lettered at
once, a failing reaction is retried with backoff a bounded number of times and then
dead-lettered, and the partition moves on.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.messaging.applier import Applier
from shared.messaging.backoff import Backoff, sleep_or_stop
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.failures import PoisonMessage, Stopping, is_transient, safe_error
from shared.messaging.metrics import DEAD
from shared.observability import get_logger

log = get_logger("messaging.consumer")


class RecordHandler:
    def __init__(
        self,
        *,
        name: str,
        applier: Applier,
        dead_letters: DeadLetters,
        retry_attempts: int,
        retry_backoff_seconds: float,
    ) -> None:
        self.name = name
        self.applier = applier
        self.dead_letters = dead_letters
        self.retry_attempts = retry_attempts
        self.retry_backoff_seconds = retry_backoff_seconds

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
        attempts = 0
        transient = Backoff(initial=0.1, maximum=5.0)
        while True:
            try:
                await self.applier.apply(tp, [record])
                return
            except PoisonMessage as exc:
                await self._dead_letter(tp, record, exc, attempts=1, stop=stop)
                return
            except Exception as exc:
                if is_transient(exc):
                    log.warning(
                        "consumer.transient_error", consumer=self.name, error=type(exc).__name__
                    )
                    if await sleep_or_stop(stop, transient.next()):
                        raise Stopping from exc
                    continue
                attempts += 1
                log.warning("consumer.handler_failed", consumer=self.name, topic=tp.topic,
                            partition=tp.partition, offset=record.offset, attempt=attempts,
                            error=safe_error(exc))  # fmt: skip
                if attempts >= self.retry_attempts:
                    await self._dead_letter(tp, record, exc, attempts=attempts, stop=stop)
                    return
                if await sleep_or_stop(stop, self.retry_backoff_seconds * 2 ** (attempts - 1)):
                    raise Stopping from exc

    async def _dead_letter(
        self,
        tp: TopicPartition,
        record: ConsumerRecord[Any, Any],
        exc: BaseException,
        *,
        attempts: int,
        stop: asyncio.Event,
    ) -> None:
        await self.dead_letters.send(tp, record, exc, attempts=attempts, stop=stop)
        await self.applier.advance_past(tp, record.offset)
        DEAD.labels(self.name).inc()
        log.error("consumer.dead_lettered", consumer=self.name, topic=tp.topic,
                  partition=tp.partition, offset=record.offset, error=safe_error(exc))  # fmt: skip
