"""`POST /api/v1/nominations/imports`: a country's whole program as one upload (CSV or JSON),
worked as a job (ADR 0128): `202 Accepted` at once with `Location: .../imports/{id}`, the job
resource to poll; `Prefer: wait=N` (RFC 7240) waits up to N seconds (at most
`NOMINATION_IMPORT_WAIT_MAX_SECONDS`, below the gateway's 30 s) and answers `200` with the
completed job when it finished by then, else `202` - an answer is never a guess."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from nomination.entrypoints.authorization import Nominator
from nomination.entrypoints.http.deps import ConfigDep, RuntimeDep, location
from nomination.entrypoints.http.schemas.imports import (
    COLUMNS,
    CSV_EXAMPLE,
    JSON_EXAMPLE,
    ImportJobPublic,
    ImportLinePublic,
    ImportProgress,
    ImportRow,
)
from nomination.entrypoints.http.views import PREFIX
from nomination.entrypoints.jobs import start_import
from nomination.service_layer.imports import (
    ImportJob,
    LineResult,
    accept_import,
    read_import,
)
from shared.errors import DomainError

router = APIRouter(prefix=f"{PREFIX}/imports", tags=["imports"])


class ImportUnreadable(DomainError):
    code = "import-unreadable"
    status = 400
    title = "The import file cannot be read"


class ImportUnsupported(DomainError):
    code = "unsupported-media-type"
    status = 415
    title = "Send text/csv or application/json"


class ImportTooLarge(DomainError):
    code = "import-too-large"
    status = 413
    title = "Too many rows in one import"


def _csv_rows(body: bytes) -> list[Any]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportUnreadable("A CSV import must be UTF-8.") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames  # reads the first line: a malformed one raises here
    except csv.Error:
        raise ImportUnreadable("The CSV header row is malformed.") from None
    unknown = sorted(set(header or ()) - set(COLUMNS))
    if not header or unknown:
        raise ImportUnreadable(
            f"Unknown columns: {', '.join(unknown)}" if unknown else "The CSV has no header row.",
            columns=list(COLUMNS),
        )
    try:
        return [dict(row) for row in reader]
    except csv.Error:
        raise ImportUnreadable("The CSV is malformed.") from None


def _json_rows(body: bytes) -> list[Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ImportUnreadable("The body is not JSON.") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise ImportUnreadable('A JSON import is an object {"rows": [...]}.')
    rows: list[Any] = data["rows"]
    return rows


async def read_rows(request: Request, max_rows: int) -> tuple[list[Any], bytes]:
    """The uploaded rows as sent (validated row by row by the job) and the body."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if media in ("text/csv", "application/csv"):
        raw = _csv_rows(body)
    elif media == "application/json":
        raw = _json_rows(body)
    else:
        raise ImportUnsupported(f"Content-Type {media or '(none)'} is not supported.")
    if len(raw) > max_rows:
        raise ImportTooLarge(f"{len(raw)} rows; at most {max_rows} per import.")
    return raw, body


_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*(\d+)", re.IGNORECASE)


def preferred_wait(prefer: str | None, maximum: float) -> float:
    """Seconds of `Prefer: wait=N` (RFC 7240), capped; 0 without it or with `respond-async`."""
    if not prefer or "respond-async" in prefer.lower():
        return 0.0
    found = _WAIT.search(prefer)
    return min(float(found.group(1)), maximum) if found else 0.0


def job_view(job: ImportJob, lines: list[LineResult]) -> ImportJobPublic:
    return ImportJobPublic(
        id=job.id,
        import_id=job.id,
        status=job.status,
        submit=job.submit,
        rows=ImportProgress(
            total=job.rows_total,
            done=job.rows_done,
            created=job.created,
            existing=job.existing,
            rejected=job.rejected,
        ),
        created=job.created,
        existing=job.existing,
        rejected=job.rejected,
        lines=[ImportLinePublic.model_validate(line, from_attributes=True) for line in lines],
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def _answer(response: Response, job: ImportJob, waited: float | None = None) -> None:
    response.status_code = 200 if job.finished else 202
    response.headers["Location"] = location(f"{PREFIX}/imports", job.id)
    if not job.finished:
        response.headers["Retry-After"] = "1"
    if waited:
        response.headers["Preference-Applied"] = f"wait={int(waited)}"


@router.post(
    "",
    status_code=202,
    response_model=ImportJobPublic,
    responses={
        200: {"model": ImportJobPublic, "description": "The job finished (`Prefer: wait`)"},
        202: {"model": ImportJobPublic, "description": "Accepted: poll `Location`"},
    },
    openapi_extra={
        "parameters": [
            {
                "name": "Prefer",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "example": "wait=10"},
                "description": "`wait=N`: answer 200 with the result if the job ends within N "
                "seconds (capped below the gateway timeout), else 202 as without it.",
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["rows"],
                        "properties": {
                            "rows": {"type": "array", "items": ImportRow.model_json_schema()}
                        },
                    },
                    "example": JSON_EXAMPLE,
                },
                "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
            },
        },
    },
)
async def import_nominations(
    request: Request,
    response: Response,
    principal: Nominator,
    runtime: RuntimeDep,
    config: ConfigDep,
    submit: Annotated[
        bool, Query(description="Submit each created nomination (validation at the door)")
    ] = False,
) -> ImportJobPublic:
    """Import a country's program for a fiscal year: one row per nomination (candidate + class,
    fiscal year, funding source, screening records), as CSV (`text/csv`, a header row of the
    column names) or JSON (`{"rows": [...]}`). The upload becomes a job: `202 Accepted` with
    `Location` of the job, to poll (`GET .../imports/{id}`) for its progress and, once
    `completed`, one result per row - created (draft, or submitted with `submit=true`),
    existing or rejected with its reasons, each row independently of the others. Idempotent: a
    row's natural key (country + passport number + class) finds what an earlier upload made,
    reported as `existing` with its ids; the same file uploaded again while its job runs (or
    after it completed without a rejected row), or the same `Idempotency-Key`, is the same job.
    An SCO imports only its own country's rows."""
    rows, body = await read_rows(request, config.import_max_rows)
    fingerprint = hashlib.sha256(b"submit=%d\n" % submit + body).hexdigest()
    async with runtime.uow(principal) as uow:
        accepted = await accept_import(
            uow, principal, rows, submit_rows=submit, fingerprint=fingerprint
        )
    job = accepted.job
    wait = preferred_wait(request.headers.get("prefer"), runtime.settings.import_wait_max_seconds)
    task = start_import(runtime, job.id) if accepted.new else None
    if wait and not job.finished:
        deadline = asyncio.get_running_loop().time() + wait
        if task is not None:  # it may find the job claimed by a worker already: then poll
            await asyncio.wait({asyncio.shield(task)}, timeout=wait)
        await _until_finished(runtime, principal, job.id, deadline)
    async with runtime.uow(principal) as uow:
        job, lines = await read_import(uow, principal, job.id)
    _answer(response, job, wait)
    return job_view(job, lines)


async def _until_finished(runtime: Any, principal: Any, job_id: UUID, deadline: float) -> None:
    loop = asyncio.get_running_loop()
    while loop.time() < deadline:
        async with runtime.uow(principal) as uow:
            job = await uow.imports.get(job_id)
        if job is None or job.finished:
            return
        await asyncio.sleep(min(0.2, max(deadline - loop.time(), 0.0)))


@router.get("/{import_id}", response_model=ImportJobPublic)
async def get_import(
    import_id: UUID, response: Response, principal: Nominator, runtime: RuntimeDep
) -> ImportJobPublic:
    """An import job: `status` (queued, running, completed, failed), `rows` progress and, once
    it finished, one result per row (`lines`). Poll while `queued` or `running`
    (`Retry-After`). An SCO sees its own country's imports only."""
    async with runtime.uow(principal) as uow:
        job, lines = await read_import(uow, principal, import_id)
    if not job.finished:
        response.headers["Retry-After"] = "1"
    return job_view(job, lines)
