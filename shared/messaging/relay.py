"""The outbox relay: publishes committed outbox rows to Kafka, in order, at least once.

Invariants
- Only committed rows are visible to the relay, so a rolled-back change never publishes.
- Rows are published in `seq` order and only once no earlier `seq` can still commit
  (horizon.py), and per partition so that a failed batch is never overtaken by a later one
  (relay_sender.py): for every key, the first occurrence of each event on the topic is in
  outbox order.
- One active relay per service: the leader holds a session advisory lock on a watched lock
  connection (connections.py), so a vanished leader loses it within seconds and a standby takes
  over. A leader that reaches PostgreSQL but cannot publish for `handover_after_seconds` gives
  the lead up and stands by for `standby_seconds`, so a standby that can reach the broker leads.
- No transaction is held across the broker round trip: claim (a plain SELECT), send, then mark
  (an UPDATE), each a statement on its own, on a connection with statement, lock and idle
  timeouts. A row is marked published only after the broker acknowledged it (acks=all); a crash
  between send and mark re-sends: consumers dedupe (inbox).
- The relay wakes on LISTEN/NOTIFY (a trigger notifies on outbox insert) and also polls, so a
  lost notification only delays, never loses. After publishing it notifies `imet_published`
  with each topic, which wakes idle consumers (idle.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.messaging.backoff import Backoff, sleep_or_stop, wait_any
from shared.messaging.connections import LockConnection, LockTimings, work_server_settings
from shared.messaging.horizon import HorizonWaitAborted, OutboxHorizon
from shared.messaging.idle import PUBLISHED_CHANNEL
from shared.messaging.kafka import make_producer
from shared.messaging.locks import lock_key
from shared.messaging.metrics import BROKER_UP, FAILURES, HANDOVERS, LEADER, PUBLISHED
from shared.messaging.relay_sender import send_rows
from shared.observability import get_logger
from shared.settings import PlatformSettings

log = get_logger("messaging.relay")

_CLAIM = """
SELECT seq, id, aggregateid, topic, payload::text AS payload, headers::text AS headers
FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1
"""
_MARK = """
WITH marked AS (
  UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[]) AND published_at IS NULL
)
SELECT pg_notify($2, topic) FROM unnest($3::text[]) AS topic
"""
RELAY_BATCH_BYTES = 1024 * 1024


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
        handover_after_seconds: float = 30.0,
        standby_seconds: float = 10.0,
        heartbeat_seconds: float = 2.0,
        session_timeout_seconds: float = 10.0,
    ) -> None:
        self.service, self.schema, self.dsn, self.platform = service, schema, dsn, platform
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.handover_after_seconds = handover_after_seconds
        self.standby_seconds = standby_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.session_timeout_seconds = session_timeout_seconds
        self.channel = f"{schema}_outbox"
        self.is_leader = False
        self._producer: AIOKafkaProducer | None = None
        self._standby_until = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        backoff = Backoff(initial=0.2, maximum=5.0)
        try:
            while not stop.is_set():
                try:
                    await self._session(stop, backoff)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("relay.db_unavailable", service=self.service,
                                error=type(exc).__name__)  # fmt: skip
                    await sleep_or_stop(stop, backoff.next())
        finally:
            await self._drop_producer()

    async def _session(self, stop: asyncio.Event, backoff: Backoff) -> None:
        timings = LockTimings(self.heartbeat_seconds, self.session_timeout_seconds)
        app = f"imet-{self.service}-relay"
        locks = LockConnection(self.dsn, schema=self.schema, application_name=app, timings=timings)
        try:
            await locks.open()
            if not await self._wait_for_lead(locks, stop):
                return
            work: asyncpg.Connection = await asyncpg.connect(
                self.dsn, server_settings=work_server_settings(self.schema, f"{app}-work")
            )
            try:
                self._lead_started()
                await self._lead(locks, work, stop, backoff)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(work.close(), timeout=2)
        finally:
            self.is_leader = False
            LEADER.labels(self.service).set(0)
            await locks.close()

    def _lead_started(self) -> None:
        self.is_leader = True
        LEADER.labels(self.service).set(1)
        log.info("relay.leader", service=self.service)

    async def _wait_for_lead(self, locks: LockConnection, stop: asyncio.Event) -> bool:
        key = lock_key(f"outbox-relay:{self.schema}")
        while not stop.is_set():
            if time.monotonic() >= self._standby_until and await locks.fetchval(
                "SELECT pg_try_advisory_lock($1)", key
            ):
                return True
            log.debug("relay.standby", service=self.service)
            await wait_any(stop, locks.lost, seconds=self.poll_seconds)
            if locks.lost.is_set():
                raise asyncpg.InterfaceError("lock connection lost")
        return False

    async def _lead(
        self, locks: LockConnection, work: asyncpg.Connection, stop: asyncio.Event, backoff: Backoff
    ) -> None:
        wake = asyncio.Event()
        await locks.listen(self.channel, lambda _: wake.set())
        horizon = OutboxHorizon(self.service)
        failing_since: float | None = None

        def aborted() -> bool:
            return stop.is_set() or locks.lost.is_set()

        while not aborted():
            wake.clear()
            try:
                sent = await self._publish_round(work, horizon, aborted)
            except HorizonWaitAborted:
                break
            except PublishFailed as exc:
                FAILURES.labels(self.service).inc()
                BROKER_UP.labels(self.service, "relay").set(0)
                log.warning("relay.publish_failed", service=self.service, error=str(exc))
                await self._drop_producer()
                failing_since = failing_since or time.monotonic()
                if time.monotonic() - failing_since >= self.handover_after_seconds:
                    await self._hand_over(locks)
                    return
                await sleep_or_stop(stop, backoff.next())
                continue
            failing_since = None
            backoff.reset()
            if sent:
                continue
            await wait_any(wake, stop, locks.lost, seconds=self.poll_seconds)

    async def _hand_over(self, locks: LockConnection) -> None:
        """We reach PostgreSQL but not the broker: let a standby that can reach it lead."""
        HANDOVERS.labels(self.service).inc()
        log.warning(
            "relay.handing_over", service=self.service, standby_seconds=self.standby_seconds
        )
        await locks.fetchval(
            "SELECT pg_advisory_unlock($1)", lock_key(f"outbox-relay:{self.schema}")
        )
        self.is_leader = False
        LEADER.labels(self.service).set(0)
        self._standby_until = time.monotonic() + self.standby_seconds

    async def _publish_round(
        self, work: asyncpg.Connection, horizon: OutboxHorizon, aborted: Callable[[], bool]
    ) -> int:
        rows = await work.fetch(_CLAIM, self.batch_size)
        if not rows:
            return 0
        ready = horizon.publishable(rows)
        if not ready:
            await horizon.resolve(work, aborted)
            # Claim again: rows of the transactions we waited for are visible only now, and
            # they may come before the ones claimed above.
            ready = horizon.publishable(await work.fetch(_CLAIM, self.batch_size))
        if not ready:
            return 0
        try:
            producer = await self._get_producer()
            result = await send_rows(
                producer, ready, prefix=self.platform.kafka_topic_prefix,
                ack_timeout=self.platform.kafka_request_timeout_ms / 1000 * 2,
            )  # fmt: skip
        except Exception as exc:  # broker unreachable, metadata timeout, ...
            raise PublishFailed(type(exc).__name__) from exc
        if result.acked:
            await work.fetch(_MARK, result.acked, PUBLISHED_CHANNEL, sorted(result.topics))
            PUBLISHED.labels(self.service).inc(len(result.acked))
            BROKER_UP.labels(self.service, "relay").set(1)
            log.debug("outbox.published", service=self.service, count=len(result.acked))
        if result.failure is not None:
            raise PublishFailed(type(result.failure).__name__) from result.failure
        return len(result.acked)

    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(
                self.platform, client_id=f"imet-{self.service}-relay",
                max_batch_size=RELAY_BATCH_BYTES,
            )  # fmt: skip
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
