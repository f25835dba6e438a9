"""Periodic jobs of the catalog: release seat holds that have expired.

Any number of catalog processes may run the job; a sweep runs only while its process holds the
advisory lock `catalog.hold-expiry`, so one instance sweeps at a time. Each class is handled in
its own transaction under the class's row lock (like every other seat change), so a sweep
interleaves safely with holds, confirmations and releases arriving from the pipeline.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from catalog.adapters import queries
from catalog.adapters.locks import single_runner
from catalog.entrypoints.clock import utc_now
from catalog.service_layer.seating import expire_lapsed_holds
from shared.auth.principal import system_actor
from shared.messaging.backoff import Backoff, sleep_or_stop
from shared.messaging.locks import lock_key
from shared.observability import get_logger
from shared.runtime import ServiceRuntime

log = get_logger("catalog.jobs")
HOLD_EXPIRY_LOCK = lock_key("catalog.hold-expiry")
ACTOR = system_actor("catalog.hold-expiry")


async def expire_lapsed_holds_once(
    runtime: ServiceRuntime[Any, Any], now: datetime | None = None
) -> int | None:
    """One sweep: release every hold expired at `now`. None when another instance is sweeping."""
    moment = now or utc_now()
    policy = runtime.settings.hold_policy()
    batch = runtime.settings.hold_expiry_batch_size
    async with single_runner(runtime.engine, HOLD_EXPIRY_LOCK) as acquired:
        if not acquired:
            return None
        released = 0
        while True:
            async with runtime.sessions() as session:
                class_ids = await queries.classes_with_lapsed_holds(session, moment, batch)
            for class_id in class_ids:
                async with runtime.uow(ACTOR) as uow:
                    released += await expire_lapsed_holds(
                        uow, class_id=class_id, policy=policy, now=moment
                    )
                    await uow.commit()
            if len(class_ids) < batch:
                break
        if released:
            log.info("seat.holds_expired", released=released)
        return released


async def expire_holds_job(runtime: ServiceRuntime[Any, Any], stop: asyncio.Event) -> None:
    """Sweep every `CATALOG_HOLD_EXPIRY_INTERVAL_SECONDS` until the process stops."""
    backoff = Backoff(initial=1.0, maximum=60.0)
    interval = runtime.settings.hold_expiry_interval_seconds
    while not stop.is_set():
        try:
            await expire_lapsed_holds_once(runtime)
            backoff.reset()
            delay = interval
        except Exception as exc:  # the job must outlive a database restart
            log.warning("catalog.hold_expiry_failed", error=type(exc).__name__)
            delay = backoff.next()
        if await sleep_or_stop(stop, delay):
            return
