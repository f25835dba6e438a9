"""The nomination service's `jobs` role: the bulk-import worker (ADR 0128).

Every `NOMINATION_IMPORT_POLL_SECONDS` it claims the oldest import job that is queued, or
running under a lease that lapsed (the process working it died), with FOR UPDATE SKIP LOCKED,
and works it to its end; two workers never hold one job. The API process that accepts an upload
also starts its job at once (`start_import`), so a job waits for this poll only when nobody is
working it - after a crash or a restart.
"""

from __future__ import annotations

import asyncio
import os
import socket
from typing import Any
from uuid import UUID, uuid4

from nomination.domain.import_job import ImportJob
from nomination.entrypoints.clock import today_of
from nomination.entrypoints.http.schemas.imports import to_line
from nomination.service_layer.imports import JobSettings, claim_import, run_import_job
from shared.auth.principal import system_actor
from shared.messaging.backoff import Backoff, sleep_or_stop
from shared.observability import get_logger
from shared.runtime import ServiceRuntime

log = get_logger("nomination.jobs")

_TASKS = "import_tasks"


def job_settings(runtime: ServiceRuntime[Any, Any]) -> JobSettings:
    worker: str | None = runtime.state.get("import_worker")
    if worker is None:
        worker = f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"
        runtime.state["import_worker"] = worker
    s = runtime.settings
    return JobSettings(
        worker=worker, chunk_rows=s.import_chunk_rows, lease_seconds=s.import_lease_seconds
    )


def _config(runtime: ServiceRuntime[Any, Any]) -> Any:
    config = runtime.state.get("config")
    if config is None:
        config = runtime.settings.config()
        runtime.state["config"] = config
    return config


async def work_one(
    runtime: ServiceRuntime[Any, Any], job_id: UUID | None = None
) -> ImportJob | None:
    """Claim one job (`job_id`: only that one) and work it to its end; None if none was free."""
    settings = job_settings(runtime)
    job = await claim_import(runtime.uow, system_actor("nomination"), settings, job_id)
    if job is None:
        return None
    log.info("nomination.import_claimed", import_id=str(job.id), attempt=job.attempts)
    return await run_import_job(
        runtime.uow, job, to_line, settings=settings, config=_config(runtime),
        today=lambda: today_of(runtime),
    )  # fmt: skip


def start_import(runtime: ServiceRuntime[Any, Any], job_id: UUID) -> asyncio.Task[Any]:
    """Work a just-accepted job in this process, in the background (a reference is kept until
    it ends). If it fails or the process dies, the lease lapses and a worker resumes it."""
    tasks: set[asyncio.Task[Any]] = runtime.state.setdefault(_TASKS, set())
    task = asyncio.create_task(_guarded(runtime, job_id))
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


async def _guarded(runtime: ServiceRuntime[Any, Any], job_id: UUID) -> ImportJob | None:
    try:
        return await work_one(runtime, job_id)
    except Exception as exc:  # the lease lapses; the jobs role resumes the job
        log.warning(
            "nomination.import_interrupted", import_id=str(job_id), error=type(exc).__name__
        )
        return None


async def import_jobs_job(runtime: ServiceRuntime[Any, Any], stop: asyncio.Event) -> None:
    """Claim and work import jobs until the process stops."""
    backoff = Backoff(initial=1.0, maximum=60.0)
    interval = runtime.settings.import_poll_seconds
    while not stop.is_set():
        try:
            worked = await work_one(runtime)
            backoff.reset()
            delay = 0.0 if worked is not None else interval
        except Exception as exc:  # the worker must outlive a database restart
            log.warning("nomination.import_worker_failed", error=type(exc).__name__)
            delay = backoff.next()
        if await sleep_or_stop(stop, delay):
            return
