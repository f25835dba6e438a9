"""What a fault costs: events applied per second before, during and after it, time to recover,
records re-read. Written to `bench/results/faults.{json,md}` by `make test-faults`
(`FaultReport`; other runs write to a temporary folder, see `results_folder`).

A `Sampler` polls the stack's database twice a second: the inbox rows of every consumer (one
per event applied) and the outbox rows not yet published. It keeps polling through a
PostgreSQL restart (the samples missing while the database is down are just missing).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from imet.services import DOMAIN_SERVICES

BENCH_RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


def results_folder() -> Path:
    """Where the rows go: the tracked `bench/results/` only when a run records on purpose
    (`make test-faults` sets IMET_RECORD_RESULTS=1); any other run (the broker-cut canary in
    `make test`) writes beside the test run, so a test run never dirties the checkout."""
    if os.environ.get("IMET_RECORD_RESULTS") == "1":
        return BENCH_RESULTS
    return Path(tempfile.gettempdir()) / "imet-fault-results"


# Schema names are the services' own (no input reaches these statements).
_COUNTS = " + ".join(f"(SELECT count(*) FROM {s}.inbox)" for s in DOMAIN_SERVICES)  # noqa: S608
_BACKLOG = " + ".join(
    f"(SELECT count(*) FROM {s}.outbox WHERE published_at IS NULL)"  # noqa: S608
    for s in DOMAIN_SERVICES
)


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic()
    applied: int
    unpublished: int


@dataclass
class Sampler:
    dsn: str
    interval: float = 0.5
    samples: list[Sample] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Sampler:
        self._task = asyncio.create_task(self._run())
        await self.wait_first()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    async def wait_first(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.samples and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def _run(self) -> None:
        conn: asyncpg.Connection | None = None
        while True:
            try:
                if conn is None or conn.is_closed():
                    conn = await asyncpg.connect(self.dsn, timeout=2)
                row = await conn.fetchrow(f"SELECT {_COUNTS} AS applied, {_BACKLOG} AS backlog")
                assert row is not None
                self.samples.append(Sample(time.monotonic(), row["applied"], row["backlog"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is restarting: a fresh connection at the next tick
                if conn is not None:
                    conn.terminate()
                conn = None
            await asyncio.sleep(self.interval)

    # --- reading the series --------------------------------------------------------------
    def _at_or_before(self, t: float) -> Sample | None:
        before = [s for s in self.samples if s.at <= t]
        return before[-1] if before else None

    def _at_or_after(self, t: float) -> Sample | None:
        return next((s for s in self.samples if s.at >= t), None)

    def rate(self, start: float, end: float) -> float | None:
        """Events applied per second between two instants (None: no samples around them)."""
        a, b = self._at_or_after(start), self._at_or_before(end)
        if a is None or b is None or b.at - a.at < 0.5:
            return None
        return (b.applied - a.applied) / (b.at - a.at)

    def resumed_after(self, t: float) -> float | None:
        """Seconds from `t` until an event is applied again (the pipeline moves)."""
        base = self._at_or_before(t) or self._at_or_after(t)
        if base is None:
            return None
        later = next((s for s in self.samples if s.at > t and s.applied > base.applied), None)
        return None if later is None else max(0.0, later.at - t)

    def drained_after(self, t: float) -> float | None:
        """Seconds from `t` until every committed outbox row is published again."""
        later = next((s for s in self.samples if s.at >= t and s.unpublished == 0), None)
        return None if later is None else later.at - t


@dataclass
class FaultResult:
    fault: str
    nominations: int
    wall_s: float  # the whole scenario: program, stream, settle, checks
    stream_s: float  # phase B start until every nomination settled
    fault_s: float  # how long the fault lasted
    events_per_s_before: float | None
    events_per_s_during: float | None
    events_per_s_after: float | None
    resumed_s: float | None  # fault end -> events applied again
    drained_s: float | None  # fault end -> outbox fully published again
    records_reread: int
    duplicates_dropped: int
    dead_lettered: int
    violations: list[str]
    notes: dict[str, Any] = field(default_factory=dict)


class FaultReport:
    """One row per fault; a run rewrites the rows of the faults it ran, keeps the others."""

    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or results_folder()
        self.json_path = folder / "faults.json"
        self.md_path = folder / "faults.md"

    def record(self, result: FaultResult) -> None:
        self.json_path.parent.mkdir(parents=True, exist_ok=True)
        rows: dict[str, Any] = {}
        if self.json_path.exists():
            with contextlib.suppress(ValueError):
                rows = json.loads(self.json_path.read_text()).get("faults", {})
        rows[result.fault] = {**asdict(result), "recorded_at": time.strftime("%Y-%m-%d %H:%M")}
        doc = {"machine": f"{os.cpu_count()} cores", "faults": rows}
        self.json_path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        self.md_path.write_text(_markdown(rows))


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _markdown(rows: dict[str, Any]) -> str:
    lines = [
        "# Fault suite results",
        "",
        "Written by `tests/faults` (each scenario rewrites its row). Events/s are events applied",
        "by all consumers together (inbox rows); recovery is measured from the end of the fault.",
        "",
        "| fault | nominations | events/s before | during | after | resumed (s) | outbox "
        "drained (s) | re-read | duplicates dropped | DLQ | scenario (s) | invariants |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in sorted(rows):
        r = rows[name]
        verdict = "ok" if not r["violations"] else f"{len(r['violations'])} violated"
        lines.append(
            f"| {name} | {r['nominations']} | {_fmt(r['events_per_s_before'])} | "
            f"{_fmt(r['events_per_s_during'])} | {_fmt(r['events_per_s_after'])} | "
            f"{_fmt(r['resumed_s'])} | {_fmt(r['drained_s'])} | {r['records_reread']} | "
            f"{r['duplicates_dropped']} | {r['dead_lettered']} | {_fmt(r['wall_s'], 0)} | "
            f"{verdict} |"
        )
    lines += ["", "Violations and notes per fault:", ""]
    for name in sorted(rows):
        r = rows[name]
        lines.append(f"- **{name}** ({r['recorded_at']}): " + json.dumps(r["notes"]))
        lines += [f"  - {v}" for v in r["violations"]]
    return "\n".join(lines) + "\n"


class LogTail:
    """What the processes logged since a mark: structured JSON lines, read from byte offsets
    taken at the mark (a restarted process appends to its log file)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.offsets = {p.name: p.stat().st_size for p in folder.glob("*.log")}

    def events(self, name: str) -> list[dict[str, Any]]:
        """Every line since the mark whose `event` is `name`, across all process logs."""
        found: list[dict[str, Any]] = []
        for path in sorted(self.folder.glob("*.log")):
            with path.open("rb") as log:
                log.seek(self.offsets.get(path.name, 0))
                for raw in log:
                    if name.encode() not in raw:
                        continue
                    with contextlib.suppress(ValueError):
                        line = json.loads(raw)
                        if isinstance(line, dict) and line.get("event") == name:
                            found.append({**line, "process": path.stem})
        return found

    def total(self, name: str, field_name: str | None = None) -> int:
        lines = self.events(name)
        return sum(int(line.get(field_name, 0)) for line in lines) if field_name else len(lines)
