"""What the whole stack costs while idle, and what event latency it delivers, in one run.

    .venv/bin/python -m bench.idle_cost.run [--idle 60] [--label after] [--sparse 30] [--steady 20]

Starts the `make run` stack (embedded PostgreSQL and Tansu, the four services with every role,
the gateway; demo data), waits until the seed's events have settled, then:
1. idle: CPU of every process (services, gateway, broker, PostgreSQL with all its backends)
   over `--idle` seconds, read from /proc/<pid>/stat, as a share of one core;
2. latency: a catalog event is re-published through the catalog's outbox (a copy of a seeded
   `course_published` row with a new id, so every consumer applies it like any other) and the
   delivery latency per consumer is `inbox.received_at - outbox.created_at` (both the database
   clock). A sparse stream (one event a second: every event finds the consumers idle) and a
   steady one (20 events a second) are measured, with the CPU of the stack during each.
Results go to bench/results/idle_cost.json (keyed by `--label`, so before/after accumulate).
Every process is a child of this script and is stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from imet.provision import with_database
from imet.stack import Stack, StackOptions
from shared.db.engine import plain_dsn

RESULTS = Path(__file__).resolve().parents[1] / "results"
TICKS = os.sysconf("SC_CLK_TCK")
CONSUMERS = ("nomination", "funding", "vetting")
REACTING = ("nomination", "funding")  # the consumers of catalog.course_published
_LATENCY = """
SELECT extract(epoch FROM i.received_at - o.created_at) * 1000 AS ms,
       extract(epoch FROM o.published_at - o.created_at) * 1000 AS relay_ms
FROM {consumer}.inbox i JOIN catalog.outbox o ON o.id::text = i.message_id
WHERE i.message_id = ANY($1::text[])
"""


def _stat(pid: int) -> tuple[int, int] | None:
    """(ppid, cpu ticks including waited-for children) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(fields[1]), sum(int(f) for f in fields[11:15])


def _children(ppid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None and st[0] == ppid:
                found.append(int(entry.name))
    return found


def _ticks(stack: Stack) -> dict[str, int]:
    """Cumulative CPU ticks per named process; PostgreSQL = postmaster + live backends."""
    pids = {name: p.pid for name, p in stack.processes.items()}
    if stack.broker is not None and stack.broker.pid:
        pids["broker (tansu)"] = stack.broker.pid
    out = {name: (_stat(pid) or (0, 0))[1] for name, pid in pids.items()}
    if stack.postgres is not None and stack.postgres.pid:
        root = stack.postgres.pid
        out["postgresql"] = sum((_stat(p) or (0, 0))[1] for p in [root, *_children(root)])
    return out


def _share(before: dict[str, int], after: dict[str, int], seconds: float) -> dict[str, float]:
    """Percent of one core per process over the interval."""
    return {
        name: round(100.0 * (after[name] - before.get(name, 0)) / TICKS / seconds, 2)
        for name in after
    }


async def _cpu_over(stack: Stack, seconds: float) -> dict[str, float]:
    before, start = _ticks(stack), time.monotonic()
    await asyncio.sleep(seconds)
    return _share(before, _ticks(stack), time.monotonic() - start)


async def _settle(admin: str, *, quiet_for: float = 8.0, within: float = 180.0) -> None:
    """Wait until no outbox has unpublished rows and no consumer offset moved for a while."""
    conn = await asyncpg.connect(admin)
    try:
        deadline, last, quiet_since = time.monotonic() + within, None, time.monotonic()
        while time.monotonic() < deadline:
            unpublished = 0
            for s in ("catalog", "nomination", "vetting", "funding"):
                unpublished += await conn.fetchval(
                    f"SELECT count(*) FROM {s}.outbox WHERE published_at IS NULL"  # noqa: S608
                )
            offsets = []
            for s in CONSUMERS:
                offsets.append(
                    await conn.fetchval(
                        f"SELECT coalesce(sum(next_offset), 0) FROM {s}.consumer_offset"  # noqa: S608
                    )
                )
            state = (unpublished, tuple(offsets))
            if state != last or unpublished:
                last, quiet_since = state, time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_for:
                return
            await asyncio.sleep(0.5)
        raise TimeoutError("the stack did not settle")
    finally:
        await conn.close()


async def _stream(admin: str, stack: Stack, count: int, interval: float) -> dict[str, Any]:
    """Publish `count` catalog events `interval` apart; latency per consumer and stack CPU."""
    conn = await asyncpg.connect(admin)
    ids: list[uuid.UUID] = []
    before, start = _ticks(stack), time.monotonic()
    try:
        template = await conn.fetchrow(
            "SELECT * FROM catalog.outbox WHERE type = 'imet.catalog.course_published.v1' LIMIT 1"
        )
        assert template is not None, "the seed published no course"
        for _ in range(count):
            new = uuid.uuid4()
            headers = json.loads(template["headers"])
            headers["ce_id"] = str(new)
            await conn.execute(
                "INSERT INTO catalog.outbox (id, aggregatetype, aggregateid, type, topic, payload,"
                " headers, created_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb,"
                " clock_timestamp())",
                new, template["aggregatetype"], template["aggregateid"], template["type"],
                template["topic"], template["payload"], json.dumps(headers),
            )  # fmt: skip
            ids.append(new)
            await asyncio.sleep(interval)
        latencies: dict[str, list[float]] = {}
        for consumer in REACTING:
            deadline = time.monotonic() + 60
            while True:
                rows = await conn.fetch(_LATENCY.format(consumer=consumer), [str(i) for i in ids])
                if len(rows) == count or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
            if rows:
                latencies[consumer] = sorted(float(r["ms"]) for r in rows)
                latencies.setdefault("relay (created to published)", sorted(
                    float(r["relay_ms"]) for r in rows if r["relay_ms"] is not None
                ))  # fmt: skip
    finally:
        await conn.close()
    cpu = _share(before, _ticks(stack), time.monotonic() - start)
    missing = [c for c in REACTING if len(latencies.get(c, ())) < count]
    if missing:
        raise RuntimeError(f"events not applied by {missing}: see {stack.log_dir}")
    return {
        "events": count,
        "interval_s": interval,
        "latency_ms": {c: _percentiles(v, count) for c, v in latencies.items()},
        "cpu_percent_of_one_core": cpu,
        "cpu_total": round(sum(cpu.values()), 2),
    }


def _percentiles(values: list[float], expected: int) -> dict[str, float]:
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return {
        "received": len(values),
        "expected": expected,
        "p50": round(q[49], 1),
        "p99": round(q[98], 1),
        "max": round(max(values), 1),
    }


async def _measure(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    admin = plain_dsn(with_database(stack.admin_url, stack.options.database))
    await _settle(admin)
    idle = await _cpu_over(stack, args.idle)
    sparse = await _stream(admin, stack, args.sparse, 1.0)
    steady = await _stream(admin, stack, args.steady * 20, 0.05)
    return {
        "idle_seconds": args.idle,
        "idle_cpu_percent_of_one_core": idle,
        "idle_cpu_total": round(sum(idle.values()), 2),
        "sparse": sparse,
        "steady": steady,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=float, default=60.0, help="idle window, seconds")
    parser.add_argument("--sparse", type=int, default=30, help="events, one a second")
    parser.add_argument("--steady", type=int, default=20, help="seconds at 20 events/s")
    parser.add_argument("--label", default="current", help="key of this run in the results")
    args = parser.parse_args()
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        os.environ.pop(name, None)  # always a private embedded stack
    var = Path(tempfile.mkdtemp(prefix="imet-idle-"))
    stack = Stack(StackOptions.random_ports(var=var, database="idle", role_prefix="idle_"))
    stack.start(say=lambda *_: None)
    try:
        result = asyncio.run(_measure(stack, args))
    finally:
        stack.stop()
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result["cores"] = os.cpu_count()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "idle_cost.json"
    runs = json.loads(out.read_text()) if out.exists() else {}
    runs[args.label] = result
    out.write_text(json.dumps(runs, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
