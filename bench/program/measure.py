"""What a program-year run is measured by, read from the stack's database and /proc.

- settled: every nomination in a final state - `ready_for_travel`, `vetting_denied`, or
  `waitlisted` with its vetting decided (a waitlisted one still waits for its vetter);
- end-to-end latency: `submitted_at` (the import job submitted the row) to the nomination's last
  `ready_for_travel` transition, and from the SCO's upload (`import_job.created_at`) to it;
- event lag per consumer: `inbox.received_at - outbox.created_at` of the producer's row, every
  event of the run that consumer applied (`received_at` is its apply transaction's start, so a
  batched apply reads slightly early); the relay's part: `published_at - created_at`;
- events per nomination: outbox rows written during the run / nominations;
- CPU: ticks of every stack process (services, gateway, broker, PostgreSQL with its backends)
  from /proc/<pid>/stat, as in `bench/idle_cost`.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import asyncpg

from bench.idle_cost.run import TICKS, _children, _stat
from imet.stack import Stack

FINAL = """
SELECT count(*) AS total, count(*) FILTER (WHERE status IN ('ready_for_travel', 'vetting_denied')
    OR (status = 'waitlisted' AND vetting_status IN ('approved', 'denied'))) AS settled,
    count(*) FILTER (WHERE status = 'funding_rejected') AS funding_rejected
FROM nomination.nomination
"""
READY = """
WITH ready AS (SELECT nomination_id, max(occurred_at) AS at FROM nomination.nomination_history
               WHERE to_state = 'ready_for_travel' GROUP BY 1),
     uploaded AS (SELECT r.nomination_id, min(j.created_at) AS at FROM nomination.import_row r
                  JOIN nomination.import_job j ON j.id = r.job_id
                  WHERE r.nomination_id IS NOT NULL GROUP BY 1),
     retried AS (SELECT DISTINCT nomination_id FROM nomination.nomination_history
                 WHERE to_state = 'funding_rejected')
SELECT extract(epoch FROM ready.at - n.submitted_at) * 1000 AS submit_ms,
       extract(epoch FROM ready.at - u.at) * 1000 AS upload_ms,
       (retried.nomination_id IS NOT NULL) AS retried
FROM nomination.nomination n JOIN ready ON ready.nomination_id = n.id
LEFT JOIN uploaded u ON u.nomination_id = n.id
LEFT JOIN retried ON retried.nomination_id = n.id
"""


def _pct(column: str = "ms") -> str:
    return (f"percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY {column}) AS q, "
            f"count({column}) AS n, max({column})")  # fmt: skip


def ticks(stack: Stack, extra: dict[str, int] | None = None) -> dict[str, int]:
    """Cumulative CPU ticks per process; PostgreSQL = postmaster + every live backend. A
    backend that ended during the run is lost from the sum, so the stack keeps its pools."""
    pids = {name: p.pid for name, p in stack.processes.items()}
    if stack.broker is not None and stack.broker.pid:
        pids["broker (tansu)"] = stack.broker.pid
    pids.update(extra or {})
    out = {name: (_stat(pid) or (0, 0))[1] for name, pid in pids.items()}
    if stack.postgres is not None and stack.postgres.pid:
        root = stack.postgres.pid
        out["postgresql"] = sum((_stat(p) or (0, 0))[1] for p in [root, *_children(root)])
    return out


def cpu_seconds(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    return {n: round((after[n] - before.get(n, 0)) / TICKS, 2) for n in after}


async def wait_settled(
    conn: asyncpg.Connection, expected: int, *, alive: Any, within: float
) -> tuple[float, dict[str, int]]:
    """Poll until all `expected` nominations settled; (time.time() then, the last counts)."""
    deadline = time.monotonic() + within
    while True:
        row = dict(await conn.fetchrow(FINAL))
        if row["total"] >= expected and row["settled"] == row["total"]:
            return time.time(), row
        if not alive():
            raise RuntimeError(f"the load process ended before the program settled: {row}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"not settled after {within:.0f} s: {row}")
        await asyncio.sleep(0.1)


def percentiles(q: list[float] | None, n: int, top: float | None) -> dict[str, Any]:
    if not q:
        return {"n": n, "p50": None, "p99": None, "max": None}
    return {
        "n": n,
        "p50": round(float(q[0]), 1),
        "p99": round(float(q[1]), 1),
        "max": round(float(top or 0), 1),
    }


LATENCIES = (
    ("submit_to_ready_ms", "submit_ms", "true"),
    ("upload_to_ready_ms", "upload_ms", "true"),
    ("submit_to_ready_without_funding_retry_ms", "submit_ms", "NOT retried"),
    ("submit_to_ready_after_funding_retry_ms", "submit_ms", "retried"),
)


async def latency(conn: asyncpg.Connection) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, column, where in LATENCIES:
        row = await conn.fetchrow(
            f"SELECT {_pct(column)} FROM ({READY}) x WHERE {where}"  # noqa: S608
        )
        assert row is not None
        out[name] = percentiles(row["q"], row["n"], row["max"])
    return out


async def schemas_with(conn: asyncpg.Connection, table: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = $1 "
        "ORDER BY 1", table,
    )  # fmt: skip
    return [r["table_schema"] for r in rows]


async def event_lag(conn: asyncpg.Connection, since: datetime) -> dict[str, Any]:
    """Per consumer: lag of the events of the run it applied; per producer: relay delay."""
    producers = await schemas_with(conn, "outbox")
    union = " UNION ALL ".join(
        f"SELECT id::text AS id, created_at FROM {p}.outbox WHERE created_at >= $1"  # noqa: S608
        for p in producers
    )
    lag: dict[str, Any] = {}
    for consumer in await schemas_with(conn, "inbox"):
        row = await conn.fetchrow(
            f"SELECT {_pct()} FROM (SELECT extract(epoch FROM i.received_at - o.created_at) * 1000 "  # noqa: S608
            f"AS ms FROM {consumer}.inbox i JOIN ({union}) o ON o.id = i.message_id) x", since,
        )  # fmt: skip
        assert row is not None
        lag[consumer] = percentiles(row["q"], row["n"], row["max"])
    relay: dict[str, Any] = {}
    events: dict[str, int] = {}
    for p in producers:
        row = await conn.fetchrow(
            f"SELECT {_pct()} FROM (SELECT extract(epoch FROM published_at - created_at) * 1000 "  # noqa: S608
            f"AS ms FROM {p}.outbox WHERE created_at >= $1) x", since,
        )  # fmt: skip
        assert row is not None
        relay[p] = percentiles(row["q"], row["n"], row["max"])
        events[p] = int(row["n"])
    return {"consumer_lag_ms": lag, "relay_ms": relay, "events": events}


async def outcomes(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM nomination.nomination GROUP BY 1")
    found = {r["status"]: int(r["n"]) for r in rows}
    found["funding_rejected_then_retried"] = int(await conn.fetchval(
        "SELECT count(DISTINCT nomination_id) FROM nomination.nomination_history "
        "WHERE to_state = 'funding_rejected'"
    ))  # fmt: skip
    return found
