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

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.messaging.backoff import Backoff, sleep_or_stop, wait_any
from shared.messaging.connections import LockConnection, LockTimings, work_server_settings
from shared.messaging.horizon import HorizonWaitAborted, OutboxHorizon
from shared.messaging.kafka import LazyProducer
from shared.messaging.locks import lock_key
from shared.messaging.metrics import BROKER_UP, FAILURES, HANDOVERS, LEADER
from shared.messaging.outbox_round import PublishFailed, publish_round
from shared.observability import get_logger
from shared.settings import PlatformSettings

log = get_logger("messaging.relay")

RELAY_BATCH_BYTES = 1024 * 1024
STANDBY_POLL_SECONDS = 1.0  # a standby asks for the lead this often (only standbys pay it)


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        schema: str,
        dsn: str,
        platform: PlatformSettings,
        batch_size: int = 500,
        poll_seconds: float = 5.0,
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
        self._producers = LazyProducer(
            platform, client_id=f"imet-{service}-relay", max_batch_size=RELAY_BATCH_BYTES
        )
        self._standby_until = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        backoff = Backoff(initial=0.2, maximum=5.0)
        try:
            while not stop.is_set():
                try:
                    await self._session(stop, backoff)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError,
                        asyncpg.InternalClientError) as exc:  # fmt: skip
                    log.warning("relay.db_unavailable", service=self.service,
                                error=type(exc).__name__)  # fmt: skip
                    await sleep_or_stop(stop, backoff.next())
                except Exception:
                    # Whatever broke this session, the next one starts from the outbox again
                    # (a relay never holds state the database does not): a bug must not take
                    # the process, and with it the service's publishing, down for good.
                    log.exception("relay.crashed", service=self.service)
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
            await wait_any(stop, locks.lost, seconds=min(self.poll_seconds, STANDBY_POLL_SECONDS))
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
                sent = await publish_round(
                    work, horizon, self._get_producer, service=self.service,
                    batch_size=self.batch_size, prefix=self.platform.kafka_topic_prefix,
                    ack_timeout=self.platform.kafka_request_timeout_ms / 1000 * 2,
                    aborted=aborted,
                )  # fmt: skip
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

    async def _get_producer(self) -> AIOKafkaProducer:
        return await self._producers.get()

    async def _drop_producer(self) -> None:
        await self._producers.drop()
