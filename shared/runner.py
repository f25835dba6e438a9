"""Run one service process: any of its roles (HTTP app, event consumer, outbox relay, jobs).

`imet serve catalog` runs every role in one process (the dev stack); production runs each
role as its own deployment (`--roles http`, `--roles consumer`, `--roles relay,jobs`).
SIGTERM/SIGINT stop all roles gracefully: the consumer finishes the record in hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable
from typing import Any

import uvicorn

from shared.messaging.consumer import EventConsumer
from shared.messaging.relay import OutboxRelay
from shared.messaging.retention import retention_job
from shared.observability import configure_logging, get_logger
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.tracing import configure_tracing, shutdown_tracing

ROLES = ("http", "consumer", "relay", "jobs")
log = get_logger("runner")


def build_consumer(runtime: ServiceRuntime[Any, Any]) -> EventConsumer:
    d, s = runtime.definition, runtime.settings
    return EventConsumer(
        name=d.name,
        schema=d.schema,
        dsn=runtime.dsn,
        platform=runtime.platform,
        tables=d.tables,
        uow_factory=runtime.uow,
        reactions=d.reactions(),
        retry_attempts=s.consumer_retry_attempts,
        retry_backoff_seconds=s.consumer_retry_backoff_seconds,
        transient_attempts=s.consumer_transient_attempts,
        batch_size=s.consumer_batch_size,
        rebalance_seconds=s.consumer_rebalance_seconds,
        idle_pause_seconds=s.consumer_idle_pause_seconds,
        idle_poll_seconds=runtime.platform.consumer_idle_poll_seconds,
        heartbeat_seconds=s.lock_heartbeat_seconds,
        session_timeout_seconds=s.lock_session_timeout_seconds,
    )


def build_relay(runtime: ServiceRuntime[Any, Any]) -> OutboxRelay:
    d, s = runtime.definition, runtime.settings
    return OutboxRelay(
        service=d.name,
        schema=d.schema,
        dsn=runtime.dsn,
        platform=runtime.platform,
        batch_size=s.relay_batch_size,
        poll_seconds=s.relay_poll_seconds,
        handover_after_seconds=s.relay_handover_after_seconds,
        heartbeat_seconds=s.lock_heartbeat_seconds,
        session_timeout_seconds=s.lock_session_timeout_seconds,
    )


async def serve(definition: ServiceDefinition[Any, Any], roles: set[str]) -> None:
    from shared.http.app import create_service_app

    settings = definition.settings_factory()
    platform = settings.platform
    configure_logging(
        level=platform.log_level, json_output=platform.log_json, service=definition.name
    )
    configure_tracing(definition.name)
    runtime = ServiceRuntime(definition, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    work: list[Awaitable[None]] = []
    server: uvicorn.Server | None = None
    if "http" in roles:
        config = uvicorn.Config(
            create_service_app(runtime),
            host=settings.http_host,
            port=settings.http_port,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=5,
        )
        server = uvicorn.Server(config)
        # We own SIGTERM/SIGINT: uvicorn must not re-raise them after its own shutdown.
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        work.append(server.serve())
    if "consumer" in roles:
        work.append(build_consumer(runtime).run(stop))
    if "relay" in roles:
        work.append(build_relay(runtime).run(stop))
    if "jobs" in roles:
        work.extend(job(runtime, stop) for job in (*definition.jobs(), retention_job))

    async def stop_http() -> None:
        await stop.wait()
        if server is not None:
            server.should_exit = True

    log.info("service.starting", roles=sorted(roles), port=settings.http_port if server else None)
    tasks = [asyncio.ensure_future(w) for w in work]
    watcher = asyncio.ensure_future(stop_http())
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                log.error("service.role_failed", error=repr(task.exception()))
                stop.set()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        watcher.cancel()
        await runtime.aclose()
        log.info("service.stopped")
        shutdown_tracing()
