"""In-memory import jobs (the twin of adapters/repositories/imports.py). Leases run on
`time.monotonic()`; a test lapses one by moving `store.import_leases`."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from nomination.domain.import_job import ImportJob, LineResult
from services.nomination.tests.unit.fakes.store import NominationStore


class MemoryImports:
    def __init__(self, store: NominationStore) -> None:
        self.store = store

    async def add(self, job: ImportJob, rows: list[Any]) -> ImportJob:
        job = replace(job, created_at=datetime.now(UTC))
        self.store.import_jobs[job.id] = job
        for n, raw in enumerate(rows, 1):
            self.store.import_rows[(job.id, n)] = (raw, None)
        return job

    async def get(self, job_id: UUID) -> ImportJob | None:
        return self.store.import_jobs.get(job_id)

    async def same_upload(self, scope: str, fingerprint: str) -> ImportJob | None:
        same = [
            j
            for j in self.store.import_jobs.values()
            if (j.scope, j.fingerprint) == (scope, fingerprint)
            and (not j.finished or (j.status == "completed" and j.rejected == 0))
        ]
        return max(same, key=lambda j: j.created_at or datetime.min, default=None)

    async def claim(
        self, worker: str, lease_seconds: float, job_id: UUID | None = None
    ) -> ImportJob | None:
        now = time.monotonic()
        for job in sorted(self.store.import_jobs.values(), key=lambda j: j.created_at or 0):
            lapsed = job.status == "running" and self.store.import_leases.get(job.id, 0) < now
            if (job_id is None or job.id == job_id) and (job.status == "queued" or lapsed):
                claimed = replace(
                    job, status="running", claimed_by=worker, attempts=job.attempts + 1,
                    started_at=job.started_at or datetime.now(UTC),
                )  # fmt: skip
                self.store.import_jobs[job.id] = claimed
                self.store.import_leases[job.id] = now + lease_seconds
                return claimed
        return None

    async def hold(self, job_id: UUID, worker: str, lease_seconds: float) -> bool:
        job = self.store.import_jobs.get(job_id)
        if job is None or job.status != "running" or job.claimed_by != worker:
            return False
        self.store.import_leases[job_id] = time.monotonic() + lease_seconds
        return True

    async def pending(self, job_id: UUID, limit: int) -> list[tuple[int, Any]]:
        rows = sorted(
            (line, raw)
            for (j, line), (raw, result) in self.store.import_rows.items()
            if j == job_id and result is None
        )
        return rows[:limit]

    async def record(self, job_id: UUID, results: list[LineResult]) -> ImportJob:
        for r in results:
            self.store.import_rows[(job_id, r.line)] = (None, r)
        job = self.store.import_jobs[job_id]
        statuses = [r.status for r in results]
        job = replace(
            job,
            rows_done=job.rows_done + len(results),
            created=job.created + statuses.count("created"),
            existing=job.existing + statuses.count("existing"),
            rejected=job.rejected + statuses.count("rejected"),
        )
        self.store.import_jobs[job_id] = job
        return job

    async def finish(self, job_id: UUID, status: str, error: str | None = None) -> ImportJob:
        for key, (raw, result) in list(self.store.import_rows.items()):
            if key[0] == job_id and raw is not None:
                self.store.import_rows[key] = (None, result)
        job = replace(
            self.store.import_jobs[job_id],
            status=status,  # type: ignore[arg-type]
            error=error,
            finished_at=datetime.now(UTC),
        )
        self.store.import_jobs[job_id] = job
        self.store.import_leases.pop(job_id, None)
        return job

    async def results(self, job_id: UUID) -> list[LineResult]:
        return sorted(
            (result for (j, _), (_, result) in self.store.import_rows.items()
             if j == job_id and result is not None),
            key=lambda r: r.line,
        )  # fmt: skip
