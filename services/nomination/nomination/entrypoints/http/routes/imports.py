"""`POST /api/v1/nominations/imports`: a country's whole program in one request (CSV or JSON)."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from nomination.entrypoints.authorization import Nominator
from nomination.entrypoints.http.deps import ConfigDep, RuntimeDep, Today
from nomination.entrypoints.http.schemas.imports import (
    COLUMNS,
    CSV_EXAMPLE,
    JSON_EXAMPLE,
    ImportLinePublic,
    ImportResultPublic,
    ImportRow,
    to_line,
)
from nomination.entrypoints.http.views import PREFIX
from nomination.service_layer.imports import ImportLine, import_program
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


async def read_lines(request: Request, max_rows: int) -> list[ImportLine]:
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
    return [to_line(number, row) for number, row in enumerate(raw, start=1)]


@router.post(
    "",
    response_model=ImportResultPublic,
    openapi_extra={
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
        }
    },
)
async def import_nominations(
    request: Request,
    principal: Nominator,
    runtime: RuntimeDep,
    config: ConfigDep,
    today: Today,
    submit: Annotated[
        bool, Query(description="Submit each created nomination (validation at the door)")
    ] = False,
) -> ImportResultPublic:
    """Import a country's program for a fiscal year: one row per nomination (candidate + class,
    fiscal year, funding source, screening records), as CSV (`text/csv`, a header row of the
    column names) or JSON (`{"rows": [...]}`). Each row is created (draft, or submitted with
    `submit=true`) or rejected with its reasons, independently of the others. Idempotent: a
    row's natural key (country + passport number + class) finds what an earlier upload made,
    reported as `existing` with its ids. An SCO imports only its own country's rows."""
    lines = await read_lines(request, config.import_max_rows)
    async with runtime.uow(principal) as uow:
        result = await import_program(
            uow, principal, lines, submit_rows=submit, config=config, today=today
        )
    return ImportResultPublic(
        import_id=result.import_id,
        created=result.count("created"),
        existing=result.count("existing"),
        rejected=result.count("rejected"),
        lines=[
            ImportLinePublic.model_validate(line, from_attributes=True) for line in result.lines
        ],
    )
