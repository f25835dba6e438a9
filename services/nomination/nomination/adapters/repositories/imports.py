"""Bulk-import jobs and their rows (ADR 0128): a queue claimed with FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nomination.adapters.tables import import_job, import_row
from nomination.domain.import_job import ImportJob, LineResult

_JOB_FIELDS = tuple(c.name for c in import_job.c if c.name not in ("lease_until",))


def _job(row: Row[Any]) -> ImportJob:
    values = row._mapping
    return ImportJob(**{k: values[k] for k in _JOB_FIELDS})


class ImportJobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, job: ImportJob, rows: list[Any]) -> ImportJob:
        stored = (
            await self.session.execute(
                insert(import_job)
                .values(
                    id=job.id,
                    scope=job.scope,
                    fingerprint=job.fingerprint,
                    submit=job.submit,
                    actor=job.actor,
                    rows_total=job.rows_total,
                )
                .returning(*import_job.c)
            )
        ).one()
        if rows:
            await self.session.execute(
                insert(import_row),
                [{"job_id": job.id, "line": n, "input": raw} for n, raw in enumerate(rows, 1)],
            )
        return _job(stored)

    async def get(self, job_id: UUID) -> ImportJob | None:
        row = (
            await self.session.execute(select(import_job).where(import_job.c.id == job_id))
        ).first()
        return None if row is None else _job(row)

    async def same_upload(self, scope: str, fingerprint: str) -> ImportJob | None:
        await self.session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"import:{scope}:{fingerprint}")))
        )
        stmt = (
            select(import_job)
            .where(
                import_job.c.scope == scope,
                import_job.c.fingerprint == fingerprint,
                or_(
                    import_job.c.status.in_(("queued", "running")),
                    and_(import_job.c.status == "completed", import_job.c.rejected == 0),
                ),
            )
            .order_by(import_job.c.created_at.desc())
            .limit(1)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else _job(row)

    async def claim(
        self, worker: str, lease_seconds: float, job_id: UUID | None = None
    ) -> ImportJob | None:
        claimable = or_(
            import_job.c.status == "queued",
            and_(import_job.c.status == "running", import_job.c.lease_until < func.now()),
        )
        candidates = select(import_job.c.id).where(claimable)
        if job_id is not None:
            candidates = candidates.where(import_job.c.id == job_id)
        candidates = (
            candidates.order_by(import_job.c.created_at).limit(1).with_for_update(skip_locked=True)
        )
        stmt = (
            update(import_job)
            .where(import_job.c.id == candidates.scalar_subquery())
            .values(
                status="running",
                claimed_by=worker,
                lease_until=func.now() + timedelta(seconds=lease_seconds),
                attempts=import_job.c.attempts + 1,
                started_at=func.coalesce(import_job.c.started_at, func.now()),
            )
            .returning(*import_job.c)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else _job(row)

    async def hold(self, job_id: UUID, worker: str, lease_seconds: float) -> bool:
        stmt = (
            update(import_job)
            .where(
                import_job.c.id == job_id,
                import_job.c.claimed_by == worker,
                import_job.c.status == "running",
            )
            .values(lease_until=func.now() + timedelta(seconds=lease_seconds))
            .returning(import_job.c.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def pending(self, job_id: UUID, limit: int) -> list[tuple[int, Any]]:
        stmt = (
            select(import_row.c.line, import_row.c.input)
            .where(import_row.c.job_id == job_id, import_row.c.status == "pending")
            .order_by(import_row.c.line)
            .limit(limit)
        )
        return [(r.line, r.input) for r in await self.session.execute(stmt)]

    async def record(self, job_id: UUID, results: list[LineResult]) -> ImportJob:
        if results:
            # One statement for the chunk's rows (executemany), not one round trip per row.
            await self.session.execute(
                update(import_row)
                .where(import_row.c.job_id == job_id, import_row.c.line == bindparam("l"))
                .values(
                    status=bindparam("s"),
                    input=None,
                    candidate_id=bindparam("c"),
                    nomination_id=bindparam("n"),
                    nomination_status=bindparam("ns"),
                    errors=bindparam("e", type_=import_row.c.errors.type),
                )
                .execution_options(synchronize_session=False),
                [
                    {
                        "l": r.line,
                        "s": r.status,
                        "c": r.candidate_id,
                        "n": r.nomination_id,
                        "ns": r.nomination_status,
                        "e": r.errors,
                    }
                    for r in results
                ],
            )
        count = {s: sum(1 for r in results if r.status == s) for s in ("created", "existing")}
        stmt = (
            update(import_job)
            .where(import_job.c.id == job_id)
            .values(
                rows_done=import_job.c.rows_done + len(results),
                created=import_job.c.created + count["created"],
                existing=import_job.c.existing + count["existing"],
                rejected=import_job.c.rejected
                + (len(results) - count["created"] - count["existing"]),
            )
            .returning(*import_job.c)
        )
        return _job((await self.session.execute(stmt)).one())

    async def finish(self, job_id: UUID, status: str, error: str | None = None) -> ImportJob:
        await self.session.execute(
            update(import_row)
            .where(import_row.c.job_id == job_id, import_row.c.input.is_not(None))
            .values(input=None)
        )
        stmt = (
            update(import_job)
            .where(import_job.c.id == job_id)
            .values(
                status=status,
                error=error,
                finished_at=func.now(),
                lease_until=None,
            )
            .returning(*import_job.c)
        )
        return _job((await self.session.execute(stmt)).one())

    async def results(self, job_id: UUID) -> list[LineResult]:
        stmt = (
            select(import_row)
            .where(import_row.c.job_id == job_id, import_row.c.status != "pending")
            .order_by(import_row.c.line)
        )
        return [
            LineResult(
                r.line, r.status, r.candidate_id, r.nomination_id, r.nomination_status, r.errors
            )
            for r in await self.session.execute(stmt)
        ]
