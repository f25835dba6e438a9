"""Dead-lettering: a record no retry can fix goes to `<topic>.dlq` with headers saying why.

The DLQ record keeps the original key, value and headers, plus `x-dlq-*` headers: the consumer,
the original topic/partition/offset, the error class (`x-dlq-error-type`) and a stable code
(`x-dlq-error-code`, e.g. `poison.envelope`, `poison.body`, `sqlstate.57014`, `reaction.error`),
a detail only when we wrote it ourselves (which fields failed validation, never their values),
the attempts and the time. Never an exception's message: a database error quotes the rejected
input (security review, issue 10). Sending is retried until the broker takes it (an outage is
not the record's fault); only then does the caller move the partition's offset past the record.
A crash between the two sends the record again on restart: DLQ entries are at least once, and
`x-dlq-original-*` identify repeats.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from shared.messaging.backoff import Backoff, sleep_or_stop
from shared.messaging.failures import Failure, Stopping
from shared.messaging.kafka import LazyProducer, dlq_topic
from shared.observability import get_logger
from shared.settings import PlatformSettings

log = get_logger("messaging.dead_letters")


class DeadLetters:
    def __init__(self, consumer: str, platform: PlatformSettings) -> None:
        self.consumer = consumer
        self.platform = platform
        self._producers = LazyProducer(platform, client_id=f"imet-{consumer}-dlq")

    def headers(
        self, tp: TopicPartition, record: ConsumerRecord[Any, Any], failure: Failure, attempts: int
    ) -> list[tuple[str, bytes]]:
        detail = [("x-dlq-error-detail", failure.detail.encode())] if failure.detail else []
        return [
            *record.headers,
            ("x-dlq-consumer", self.consumer.encode()),
            ("x-dlq-original-topic", tp.topic.encode()),
            ("x-dlq-original-partition", str(tp.partition).encode()),
            ("x-dlq-original-offset", str(record.offset).encode()),
            ("x-dlq-error-type", failure.error_class.encode()),
            ("x-dlq-error-code", failure.code.encode()),
            *detail,
            ("x-dlq-attempts", str(attempts).encode()),
            ("x-dlq-failed-at", datetime.now(UTC).isoformat().encode()),
        ]

    async def send(
        self,
        tp: TopicPartition,
        record: ConsumerRecord[Any, Any],
        failure: Failure,
        *,
        attempts: int,
        stop: asyncio.Event,
    ) -> None:
        """Send until the broker acknowledges; raises `Stopping` on shutdown."""
        headers = self.headers(tp, record, failure, attempts)
        backoff = Backoff(initial=0.2, maximum=5.0)
        while True:
            try:
                producer = await self._producers.get()
                await producer.send_and_wait(
                    dlq_topic(tp.topic), value=record.value, key=record.key, headers=headers
                )
                return
            except Exception as send_exc:
                log.warning(
                    "consumer.dlq_unavailable",
                    consumer=self.consumer,
                    error=type(send_exc).__name__,
                )
                await self.close()
                if await sleep_or_stop(stop, backoff.next()):
                    raise Stopping from send_exc

    async def close(self) -> None:
        await self._producers.drop()
