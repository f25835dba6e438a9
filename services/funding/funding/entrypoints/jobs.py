"""Periodic jobs of the funding service (one runner at a time: a transaction advisory lock)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

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


async def sweep_stale_requests_once(runtime: ServiceRuntime[Any, Any], now: datetime) -> int | None:
    """One pass; None when another process holds the job's lock."""
    timeout = timedelta(hours=runtime.settings.pending_reference_timeout_hours)
    async with runtime.uow(system_actor("funding")) as uow:
        locked = (
            await uow.session.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SWEEP_LOCK}
            )
        ).scalar_one()
        if not locked:
            return None
        return await reject_stale_pending(uow, now - timeout)


async def reject_stale_requests(runtime: ServiceRuntime[Any, Any], stop: asyncio.Event) -> None:
    """Reject funding requests whose class the catalog never announced (see the settings)."""
    while not stop.is_set():
        try:
            rejected = await sweep_stale_requests_once(runtime, datetime.now(UTC))
            if rejected:
                log.info("funding.stale_requests_rejected", count=rejected)
        except Exception as exc:  # the job keeps running through database outages
            log.warning("funding.stale_sweep_failed", error=type(exc).__name__)
        if await sleep_or_stop(stop, runtime.settings.pending_sweep_seconds):
            return


async def decide_available_once(runtime: ServiceRuntime[Any, Any], today: date) -> int | None:
    """One pass; None when another process holds the job's lock."""
    async with runtime.uow(system_actor("funding")) as uow:
        locked = (
            await uow.session.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": AVAILABILITY_LOCK}
            )
        ).scalar_one()
        if not locked:
            return None
        return await decide_waiting_requests(uow, today)


async def decide_available_requests(runtime: ServiceRuntime[Any, Any], stop: asyncio.Event) -> None:
    """Obligate (or refuse) the requests that waited for their fiscal year's funds, once the
    fiscal year began (or advance availability was recorded while the request waited)."""
    while not stop.is_set():
        try:
            decided = await decide_available_once(runtime, datetime.now(UTC).date())
            if decided:
                log.info("funding.waiting_requests_decided", count=decided)
        except Exception as exc:  # the job keeps running through database outages
            log.warning("funding.availability_sweep_failed", error=type(exc).__name__)
        if await sleep_or_stop(stop, runtime.settings.pending_sweep_seconds):
            return


def jobs() -> Sequence[Job]:
    return (reject_stale_requests, decide_available_requests)
