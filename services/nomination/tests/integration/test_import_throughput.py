"""How fast a 100-row import job runs on the real database (ADR 0128, bench/results/
bulk_import.md): rows/s of the job's chunks, printed; asserted only to finish every row."""

from __future__ import annotations

import time
import uuid

import pytest

from nomination.entrypoints.clock import today_of
from nomination.entrypoints.http.schemas.imports import to_line
from nomination.service_layer.imports import (
    JobSettings,
    accept_import,
    claim_import,
    run_import_job,
)
from services.nomination.tests.integration.support import World
from services.nomination.tests.integration.test_countries_and_imports import row
from shared.auth.principal import Principal

SCO = Principal("sco-bench", frozenset({"sco"}), "GTM")
ROWS = 100


@pytest.mark.parametrize("submit", [False, True], ids=["drafts", "submitted"])
async def test_a_100_row_import_job_runs_every_row(world: World, submit: bool) -> None:
    await world.country("GTM")
    klass = await world.catalog(capacity=ROWS * 2)
    rows = [row(klass, given_names=f"Persona {uuid.uuid4().hex[:8]}") for _ in range(ROWS)]
    settings = JobSettings(worker="bench", chunk_rows=world.runtime.settings.import_chunk_rows)
    config = world.runtime.settings.config()

    started = time.perf_counter()
    async with world.runtime.uow(SCO) as uow:
        accepted = await accept_import(
            uow, SCO, rows, submit_rows=submit, fingerprint=uuid.uuid4().hex
        )
    accept_ms = 1000 * (time.perf_counter() - started)
    job = await claim_import(world.runtime.uow, SCO, settings, accepted.job.id)
    assert job is not None
    done = await run_import_job(
        world.runtime.uow,
        job,
        to_line,
        settings=settings,
        config=config,
        today=lambda: today_of(world.runtime),
    )
    seconds = time.perf_counter() - started

    print(
        f"\nIMPORT submit={submit}: {ROWS} rows in {seconds:.2f} s = {ROWS / seconds:.0f} rows/s"
        f" ({1000 * seconds / ROWS:.1f} ms/row); accepted (queued) in {accept_ms:.0f} ms"
    )
    assert (done.status, done.created) == ("completed", ROWS)
