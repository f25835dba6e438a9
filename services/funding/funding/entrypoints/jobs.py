"""Periodic jobs of the funding service (one runner at a time: a transaction advisory lock)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from funding.domain.calendar import Clock
from funding.service_layer.availability import decide_waiting_requests
from funding.service_layer.obligate import reject_stale_pending
from shared.auth.principal import system_actor
from shared.messaging.backoff import sleep_or_stop
from shared.messaging.locks import lock_key
from shared.observability import get_logger
from shared.runtime import Job, ServiceRuntime

log = get_logger("funding.jobs")
SWEEP_LOCK = lock_key("funding:job:reject_stale_requests")
AVAILABILITY_LOCK = lock_key("funding:job:decide_available_requests")


def clock_of(runtime: ServiceRuntime[Any, Any]) -> Clock:
    """The bootstrap's clock (`definition.extra[\"clock\"]`)."""
    clock: Clock = runtime.definition.extra["clock"]
    return clock


async def sweep_stale_requests_once(runtime: ServiceRuntime[Any, Any], now: datetime) -> int | None:
    """One pass; None when another process holds the job's lock."""
    timeout = timedelta(hours=runtime.settings.pending_reference_timeout_hours)
    async with runtime.uow(system_actor("funding")) as uow:
        if not await uow.try_lock(SWEEP_LOCK):
            return None
        return await reject_stale_pending(uow, now - timeout)


async def reject_stale_requests(runtime: ServiceRuntime[Any, Any], stop: asyncio.Event) -> None:
    """Reject funding requests whose class the catalog never announced (see the settings)."""
    while not stop.is_set():
        try:
            rejected = await sweep_stale_requests_once(runtime, clock_of(runtime)())
            if rejected:
                log.info("funding.stale_requests_rejected", count=rejected)
        except Exception as exc:  # the job keeps running through database outages
            log.warning("funding.stale_sweep_failed", error=type(exc).__name__)
        if await sleep_or_stop(stop, runtime.settings.pending_sweep_seconds):
            return


async def decide_available_once(runtime: ServiceRuntime[Any, Any], today: date) -> int | None:
    """One pass; None when another process holds the job's lock."""
    async with runtime.uow(system_actor("funding")) as uow:
        if not await uow.try_lock(AVAILABILITY_LOCK):
            return None
        return await decide_waiting_requests(uow, today)


async def decide_available_requests(runtime: ServiceRuntime[Any, Any], stop: asyncio.Event) -> None:
    """Obligate (or refuse) the requests that waited for their fiscal year's funds, once the
    fiscal year began (or advance availability was recorded while the request waited)."""
    while not stop.is_set():
        try:
            decided = await decide_available_once(runtime, clock_of(runtime)().date())
            if decided:
                log.info("funding.waiting_requests_decided", count=decided)
        except Exception as exc:  # the job keeps running through database outages
            log.warning("funding.availability_sweep_failed", error=type(exc).__name__)
        if await sleep_or_stop(stop, runtime.settings.pending_sweep_seconds):
            return


def jobs() -> Sequence[Job]:
    return (reject_stale_requests, decide_available_requests)
