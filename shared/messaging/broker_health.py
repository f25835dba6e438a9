"""Is the broker reachable? A cached metadata round trip (consumer and relay roles report it).

HTTP readiness does NOT include the broker (issue 10 item 7): an API writes to its outbox, so a
broker outage must not take it out of rotation. The broker's health is the business of the
roles that talk to it, exposed as the `imet_broker_up` gauge on /metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from aiokafka import AIOKafkaClient

from shared.messaging.kafka import security_options
from shared.settings import PlatformSettings

PROBE_TIMEOUT = 2.0


class BrokerProbe:
    def __init__(self, platform: PlatformSettings, *, cache_seconds: float = 1.0) -> None:
        self.platform = platform
        self.cache_seconds = cache_seconds
        self._client: AIOKafkaClient | None = None
        self._last: tuple[float, bool, str | None] = (0.0, False, None)
        self._lock = asyncio.Lock()

    async def check(self) -> tuple[bool, str | None]:
        async with self._lock:
            at, ok, error = self._last
            if time.monotonic() - at < self.cache_seconds:
                return ok, error
            try:
                await asyncio.wait_for(self._probe(), timeout=PROBE_TIMEOUT)
                ok, error = True, None
            except Exception as exc:
                ok, error = False, type(exc).__name__
                await self._reset()
            self._last = (time.monotonic(), ok, error)
            return ok, error

    async def _probe(self) -> None:
        if self._client is None:
            self._client = AIOKafkaClient(
                bootstrap_servers=self.platform.kafka_bootstrap_servers,
                request_timeout_ms=int(PROBE_TIMEOUT * 1000),
                client_id="imet-readiness",
                **security_options(self.platform),
            )
            await self._client.bootstrap()
        metadata = await self._client.fetch_all_metadata()
        if not metadata.brokers():
            raise ConnectionError("no brokers in cluster metadata")

    async def _reset(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()

    async def aclose(self) -> None:
        await self._reset()
