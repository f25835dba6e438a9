"""The outbox relay: publishes committed outbox rows to Kafka, in order, at least once.

Invariants
- Only committed rows are visible to the relay, so a rolled-back change never publishes.
- One active relay per service: the leader holds a session advisory lock; others stand by and
  take over when its connection drops. A single leader sending in `seq` order keeps the order
  of each aggregate's events (same key -> same partition).
- A row is marked published only after the broker acknowledged it (acks=all), and only the
  contiguous acknowledged prefix of a batch is marked, so a failure re-sends from the first
  unacknowledged row. A crash between send and mark re-sends: consumers dedupe (inbox).
- The relay wakes on LISTEN/NOTIFY (a trigger notifies on outbox insert) and also polls, so a
  lost notification only delays, never loses.
- A broker outage is retried with capped exponential backoff; rows wait in the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.messaging.backoff import Backoff, sleep_or_stop
from shared.messaging.kafka import make_producer, physical_topic
from shared.messaging.locks import lock_key
from shared.messaging.metrics import FAILURES, PUBLISHED
from shared.observability import get_logger
from shared.settings import PlatformSettings

log = get_logger("messaging.relay")


_CLAIM = """
SELECT id, aggregateid, topic, payload::text AS payload, headers::text AS headers
FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
"""
_MARK = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[])"


class PublishFailed(RuntimeError):
    pass


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        schema: str,
        dsn: str,
        platform: PlatformSettings,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
    ) -> None:
        self.service = service
        self.schema = schema
        self.dsn = dsn
        self.platform = platform
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.channel = f"{schema}_outbox"
        self._producer: AIOKafkaProducer | None = None
        self.is_leader = False

    async def run(self, stop: asyncio.Event) -> None:
        backoff = Backoff(initial=0.2, maximum=5.0)
        try:
            while not stop.is_set():
                try:
                    await self._lead(stop, backoff)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    self.is_leader = False
                    log.warning("relay.db_unavailable", error=type(exc).__name__)
                    await sleep_or_stop(stop, backoff.next())
        finally:
            await self._drop_producer()

    async def _lead(self, stop: asyncio.Event, backoff: Backoff) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(
            self.dsn,
            server_settings={
                "search_path": self.schema,
                "application_name": f"imet-{self.service}-relay",
            },
        )
        try:
            key = lock_key(f"outbox-relay:{self.schema}")
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
                log.debug("relay.standby", service=self.service)
                if await sleep_or_stop(stop, self.poll_seconds):
                    return
            self.is_leader = True
            log.info("relay.leader", service=self.service)
            wake = asyncio.Event()
            await conn.add_listener(self.channel, lambda *_: wake.set())
            while not stop.is_set():
                wake.clear()
                try:
                    sent = await self._publish_batch(conn)
                except PublishFailed as exc:
                    FAILURES.labels(self.service).inc()
                    log.warning("relay.publish_failed", service=self.service, error=str(exc))
                    await self._drop_producer()
                    await sleep_or_stop(stop, backoff.next())
                    continue
                backoff.reset()
                if sent:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(wake, stop), timeout=self.poll_seconds)
        finally:
            self.is_leader = False
            with contextlib.suppress(Exception):
                await conn.close(timeout=2)

    async def _publish_batch(self, conn: asyncpg.Connection) -> int:
        failure: BaseException | None = None
        async with conn.transaction():
            rows = await conn.fetch(_CLAIM, self.batch_size)
            if not rows:
                return 0
            acked: list[Any] = []
            try:
                producer = await self._get_producer()
                futures = []
                for row in rows:
                    headers = [(k, str(v).encode()) for k, v in json.loads(row["headers"]).items()]
                    futures.append(
                        await producer.send(
                            physical_topic(row["topic"], self.platform.kafka_topic_prefix),
                            value=row["payload"].encode(),
                            key=row["aggregateid"].encode(),
                            headers=headers,
                        )
                    )
                timeout = self.platform.kafka_request_timeout_ms / 1000 * 2
                results = await asyncio.wait_for(
                    asyncio.gather(*futures, return_exceptions=True), timeout=timeout
                )
                for row, result in zip(rows, results, strict=True):
                    if isinstance(result, BaseException):
                        failure = result
                        break
                    acked.append(row["id"])
            except Exception as exc:  # broker unreachable, metadata timeout, ...
                failure = exc
            if acked:
                await conn.execute(_MARK, acked)
        if acked:
            PUBLISHED.labels(self.service).inc(len(acked))
            log.debug("outbox.published", service=self.service, count=len(acked))
        if failure is not None:
            raise PublishFailed(f"{type(failure).__name__}: {failure}") from failure
        return len(acked)

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.platform, client_id=f"imet-{self.service}-relay")
            try:
                await asyncio.wait_for(
                    producer.start(), timeout=self.platform.kafka_request_timeout_ms / 1000
                )
            except BaseException:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(producer.stop(), timeout=2)
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=2)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
