"""Periodic jobs of the vetting service.

`expire_approvals`: every `VETTING_EXPIRY_INTERVAL_SECONDS`, re-open approved cases whose
approval lapses before the class report date (`vetting.expired`). Each round runs in
transactions that first take a transaction-scoped advisory lock, so when several instances of
the service run the job, one works and the others skip the round; the case rows are also
locked (`FOR UPDATE SKIP LOCKED`), so a vetter's concurrent decision waits or is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from shared.auth.principal import system_actor
from shared.messaging.backoff import sleep_or_stop
from shared.messaging.locks import lock_key
from shared.observability import get_logger
from shared.runtime import Job, ServiceRuntime
from vetting.domain.moment import Clock, Moment
from vetting.service_layer.reopening import reopen_lapsing_approvals
from vetting.settings import VettingSettings

log = get_logger("vetting.jobs")
EXPIRY_LOCK = lock_key("vetting.expire_approvals")


async def expire_approvals_once(
    runtime: ServiceRuntime[Any, Any], now: Moment | None = None
) -> int | None:
    """One round; the number of cases re-opened, or None when another instance holds the lock."""
    settings: VettingSettings = runtime.settings
    make_clock: Callable[[VettingSettings], Clock] = runtime.definition.extra["clock"]
    clock = make_clock(settings)
    actor = system_actor("vetting")
    total = 0
    while True:
        async with runtime.uow(actor) as uow:
            if not await uow.try_lock(EXPIRY_LOCK):
                return None
            count = await reopen_lapsing_approvals(
                uow,
                settings.policy(),
                lead_days=settings.revet_lead_days,
                batch_size=settings.expiry_batch_size,
                now=now or clock(),
            )
        total += count
        if count < settings.expiry_batch_size:
            return total


async def expire_approvals(runtime: ServiceRuntime[Any, Any], stop: asyncio.Event) -> None:
    """The job loop: a round, then wait the interval (or stop)."""
    settings: VettingSettings = runtime.settings
    while not stop.is_set():
        try:
            reopened = await expire_approvals_once(runtime)
            if reopened:
                log.info("vetting.approvals_reopened", count=reopened)
        except Exception as exc:
            log.warning("vetting.expiry_round_failed", error=type(exc).__name__)
        if await sleep_or_stop(stop, settings.expiry_interval_seconds):
            return


def jobs() -> list[Job]:
    return [expire_approvals]
