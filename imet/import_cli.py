"""`imet import FILE`: upload a bulk import through the gateway and follow its job (ADR 0128).

The upload answers `202 Accepted` with the job's `Location` at once; the job is polled until it
ended, each poll advancing the progress bar. Transient answers (502/503/504, a dropped
connection) are retried with the same `Idempotency-Key`, so a retry never queues a second job.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

IMPORTS = "/api/v1/nominations/imports"
TRANSIENT = frozenset({502, 503, 504})
MEDIA = {".csv": "text/csv", ".json": "application/json"}


class ImportFailed(Exception):
    pass


def media_type(file: Path) -> str:
    try:
        return MEDIA[file.suffix.lower()]
    except KeyError:
        raise ImportFailed(f"{file.name}: a .csv or .json file, please") from None


def default_gateway(var: Path) -> str:
    """The running dev stack's gateway (`var/run/stack.json`), else the default port."""
    state = var / "run" / "stack.json"
    if state.exists():
        url = json.loads(state.read_text()).get("gateway_url")
        if isinstance(url, str) and url:
            return url
    return "http://127.0.0.1:8000"


def _request(
    client: httpx.Client, method: str, url: str, deadline: float, **kw: Any
) -> httpx.Response:
    while True:
        try:
            r = client.request(method, url, **kw)
            if r.status_code not in TRANSIENT:
                return r
            problem = f"{r.status_code}"
        except httpx.TransportError as exc:
            problem = type(exc).__name__
        if time.monotonic() > deadline:
            raise ImportFailed(f"{method} {url}: no answer before the deadline ({problem})")
        time.sleep(1.0)


def run_import(
    file: Path,
    *,
    gateway: str,
    token: str,
    submit: bool = False,
    on_progress: Callable[[dict[str, Any]], None] = lambda job: None,
    timeout: float = 3600.0,
    poll_seconds: float = 0.5,
) -> dict[str, Any]:
    """Upload `file`, poll its job until it ended; the finished job (one result per row)."""
    body = file.read_bytes()
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=gateway, timeout=60.0) as client:
        r = _request(
            client, "POST", IMPORTS, deadline, content=body,
            params={"submit": "true"} if submit else None,
            headers={**headers, "Content-Type": media_type(file),
                     "Idempotency-Key": f"imet-import-{uuid.uuid4()}"},
        )  # fmt: skip
        if r.status_code not in (200, 202):
            raise ImportFailed(f"upload refused: {r.status_code} {_detail(r)}")
        job: dict[str, Any] = r.json()
        on_progress(job)
        while job["status"] not in ("completed", "failed"):
            if time.monotonic() > deadline:
                raise ImportFailed(f"import {job['id']} still {job['status']} at the deadline")
            time.sleep(poll_seconds)
            r = _request(client, "GET", r.headers.get("location") or f"{IMPORTS}/{job['id']}",
                         deadline, headers=headers)  # fmt: skip
            if r.status_code != 200:
                raise ImportFailed(f"reading import {job['id']}: {r.status_code} {_detail(r)}")
            job = r.json()
            on_progress(job)
        return job


def _detail(r: httpx.Response) -> str:
    """A refusal as a person reads it: the problem's code (the last segment of its `type`, e.g.
    `import-empty`) and its detail, else the body's start."""
    try:
        answer = r.json()
    except ValueError:
        return r.text[:300]
    if not isinstance(answer, dict):
        return str(answer)[:300]
    code = str(answer.get("type") or "").rstrip("/").rsplit("/", 1)[-1]
    text = str(answer.get("detail") or answer.get("title") or answer)
    return (f"{code}: {text}" if code and code != "about:blank" else text)[:300]


def summary(job: dict[str, Any], limit: int = 20) -> list[str]:
    """What to print once the job ended: the counts, then the first rejected rows' reasons."""
    rows = job["rows"]
    lines = [
        f"import {job['id']}: {job['status']} - {rows['created']} created, "
        f"{rows['existing']} existing, {rows['rejected']} rejected of {rows['total']} rows"
    ]
    if job.get("error"):
        lines.append(f"  error: {job['error']}")
    rejected = [line for line in job["lines"] if line["status"] == "rejected"]
    for line in rejected[:limit]:
        reasons = "; ".join(f"{e.get('field') or '-'}: {e.get('code')}" for e in line["errors"])
        lines.append(f"  line {line['line']}: rejected ({reasons})")
    if len(rejected) > limit:
        lines.append(f"  ... and {len(rejected) - limit} more rejected rows (--json shows all)")
    return lines
