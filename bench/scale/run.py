"""List and report latency with 10^4, 10^5 and 10^6 nominations of history (issue 16 item 3,
issue 13).

    .venv/bin/python -m bench.scale.run [--levels 10000,100000,1000000] [--requests 200]

Starts the `make run` stack (embedded PostgreSQL and Tansu, the services, the gateway, demo
data) on free ports, then for each level: appends nominations with the fast loader
(bench/scale/loader.py: COPY straight into the nomination schema and the reporting read model,
not the API) up to that many, ANALYZEs, and measures from this process (a client loop, one
request at a time, authenticated through the gateway as an administrator) p50/p99 of:
the nomination list filtered by country and state (first page, and a deep page by cursor at
90 % of the filtered rows), the unfiltered list's first page, nomination detail, and the
reports (FMTR of a fiscal year, funnel, utilization, vetting turnaround). Each endpoint gets
up to `--requests` requests within `--budget` seconds (at least `--min-requests`). The figure
per endpoint is the 10^6 (largest level) p50 and p99 divided by the 10^4 (smallest level) one.
Results: bench/results/scale.{json,md,svg}. Every process is stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.gateway_proxy.run import _cpu_model
from bench.scale import loader
from gateway.signing.issuer import issue_dev_token
from imet.provision import with_database
from imet.stack import Stack, StackOptions
from nomination.adapters.queries import NOMINATION_ORDER
from reporting.adapters.aggregate_tables import AGGREGATE_TABLES
from shared.db.engine import plain_dsn
from shared.http.pagination import encode_cursor, sort_keys

ROOT = Path(__file__).resolve().parents[2]
NOMINATIONS, REPORTS = "/api/v1/nominations", "/api/v1/reports"
CHUNK = 25_000


@dataclass
class Endpoint:
    key: str
    label: str
    paths: list[str]  # rotated through, one per request


def main() -> int:
    args = _arguments()
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        os.environ.pop(name, None)  # always a private embedded stack
    var = Path(tempfile.mkdtemp(prefix="imet-bench-scale-"))
    options = StackOptions.random_ports(
        var=var, database="bench_scale", role_prefix="benchs_",
        extra_env={"GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
                   "GATEWAY_RATE_LIMIT_BURST": "1000000", "LOG_LEVEL": "WARNING"},
    )  # fmt: skip
    stack = Stack(options)
    try:
        stack.start(say=lambda *_: None)
        results = asyncio.run(_levels(args, stack))
    finally:
        stack.stop()
        shutil.rmtree(var, ignore_errors=True)
    return _report(args, results)


async def _levels(args: argparse.Namespace, stack: Stack) -> list[dict[str, Any]]:
    dsn = plain_dsn(with_database(stack.admin_url, stack.options.database))
    conn = await asyncpg.connect(dsn)
    token = issue_dev_token(stack.key_dir, "admin", ttl_seconds=6 * 3600)
    out: list[dict[str, Any]] = []
    try:
        cat = await loader.catalog(conn)
        await loader.load_reference(conn, cat)
        loaded = 0
        for level in args.levels:
            start, level_start = time.monotonic(), loaded
            while loaded < level:
                count = min(CHUNK, level - loaded)
                await loader.load(conn, cat, loaded, count)
                loaded += count
                print(f"  loaded {loaded:,} nominations", file=sys.stderr, flush=True)
            await loader.aggregate(conn, level_start, loaded - level_start)
            load_s = time.monotonic() - start
            await conn.execute("ANALYZE nomination.nomination, nomination.candidate,"
                               " nomination.travel_order, reporting.nomination,"
                               " reporting.state_span, reporting.training_line,"
                               " reporting.vetting_case, " + ", ".join(
                                   f"reporting.{t.name}" for t in AGGREGATE_TABLES))  # fmt: skip
            sizes = {t.name: await conn.fetchval(f"SELECT count(*) FROM reporting.{t.name}")  # noqa: S608
                     for t in AGGREGATE_TABLES}  # fmt: skip
            print(f"  aggregate rows: {sizes}", file=sys.stderr, flush=True)
            endpoints = await _endpoints(conn, cat, level)
            measured = await _measure(args, stack, token, endpoints)
            out.append({"nominations": level, "load_seconds": round(load_s, 1),
                        "endpoints": measured})  # fmt: skip
            print(_level_table(out[-1]), file=sys.stderr, flush=True)
            partial = args.results_dir / "scale.partial.json"
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(out, indent=2) + "\n")
    finally:
        await conn.close()
    return out


async def _endpoints(conn: asyncpg.Connection, cat: loader.Catalog, level: int) -> list[Endpoint]:
    state = "vetting"
    country = await conn.fetchval(  # the country with the most nominations in that state
        "SELECT country FROM nomination.nomination WHERE status = $1 GROUP BY country"
        " ORDER BY count(*) DESC, country LIMIT 1", state,
    )  # fmt: skip
    keys = sort_keys(NOMINATION_ORDER)
    filtered = await conn.fetchval(
        "SELECT count(*) FROM nomination.nomination WHERE country = $1 AND status = $2",
        country, state,
    )  # fmt: skip
    deep = await conn.fetchrow(
        "SELECT created_at, id FROM nomination.nomination WHERE country = $1 AND status = $2"
        " ORDER BY created_at DESC, id DESC OFFSET $3 LIMIT 1",
        country, state, int(filtered * 0.9),
    )  # fmt: skip
    cursor = encode_cursor([deep["created_at"], deep["id"]], keys)
    step = max(1, level // 50)
    ids = [loader._uuid(1, n) for n in range(0, level, step)]
    filters = f"country={country}&status={state}&limit=50"
    return [
        Endpoint("list_country_state", "list: country + state, first page",
                 [f"{NOMINATIONS}?{filters}"]),
        Endpoint("list_country_state_deep", "list: country + state, deep page (cursor at 90 %)",
                 [f"{NOMINATIONS}?{filters}&cursor={cursor}"]),
        Endpoint("list_all", "list: unfiltered, first page", [f"{NOMINATIONS}?limit=50"]),
        Endpoint("detail", "nomination detail", [f"{NOMINATIONS}/{i}" for i in ids]),
        Endpoint("fmtr", "FMTR, FY 2025, all countries", [f"{REPORTS}/fmtr?fiscal_year=2025"]),
        Endpoint("funnel", "funnel, FY 2026", [f"{REPORTS}/funnel?fiscal_year=2026"]),
        Endpoint("funnel_all", "funnel, all years", [f"{REPORTS}/funnel"]),
        Endpoint("utilization", "utilization, FY 2025",
                 [f"{REPORTS}/utilization?fiscal_year=2025"]),
        Endpoint("turnaround", "vetting turnaround, FY 2026",
                 [f"{REPORTS}/vetting-turnaround?fiscal_year=2026"]),
        Endpoint("fmtr_country", "FMTR, FY 2025, one country",
                 [f"{REPORTS}/fmtr?fiscal_year=2025&country={country}"]),
    ]  # fmt: skip


async def _measure(
    args: argparse.Namespace, stack: Stack, token: str, endpoints: list[Endpoint]
) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}"}
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=auth, timeout=120) as c:
        for ep in endpoints:
            r = await c.get(ep.paths[0])  # warm-up, and refuse to time an error
            if r.status_code != 200:
                out[ep.key] = {"label": ep.label, "error": f"{r.status_code} {r.text[:200]}"}
                continue
            times: list[float] = []
            deadline = time.monotonic() + args.budget
            while len(times) < args.requests and (
                time.monotonic() < deadline or len(times) < args.min_requests
            ):
                path = ep.paths[len(times) % len(ep.paths)]
                t0 = time.perf_counter()
                r = await c.get(path)
                times.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    break
            if r.status_code != 200:  # e.g. 504: the gateway gave up after its 30 s
                out[ep.key] = {"label": ep.label, "error": f"{r.status_code} after "
                               f"{len(times)} requests", "times_ms": times}  # fmt: skip
                continue
            out[ep.key] = {"label": ep.label, "requests": len(times),
                           "p50_ms": _pct(times, 50), "p99_ms": _pct(times, 99),
                           "bytes": len(r.content)}  # fmt: skip
    return out


def _pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return round(values[0], 2)
    return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1], 2)


def _level_table(level: dict[str, Any]) -> str:
    lines = [f"{level['nominations']:,} nominations (loaded in {level['load_seconds']} s):"]
    for key, m in level["endpoints"].items():
        if "error" in m:
            lines.append(f"  {key:26} ERROR {m['error']}")
        else:
            lines.append(f"  {key:26} p50 {m['p50_ms']:9.1f} ms  p99 {m['p99_ms']:9.1f} ms"
                         f"  ({m['requests']} requests)")  # fmt: skip
    return "\n".join(lines)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10000,100000,1000000",
                        type=lambda s: sorted(int(x) for x in s.split(",")))  # fmt: skip
    parser.add_argument("--requests", type=int, default=200, help="most requests per endpoint")
    parser.add_argument("--min-requests", type=int, default=3)
    parser.add_argument("--budget", type=float, default=10, help="seconds per endpoint")
    parser.add_argument("--quick", action="store_true", help="levels 10^3 and 10^4, 50 requests")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--note", default="", help="a line for the Markdown (what changed)")
    args = parser.parse_args()
    if args.quick:
        args.levels, args.requests, args.budget = [1000, 10000], 50, 5
    return args


def _report(args: argparse.Namespace, results: list[dict[str, Any]]) -> int:
    first, last = results[0], results[-1]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    n0, n1 = first["nominations"], last["nominations"]
    head = " | ".join(f"{r['nominations']:,} p50 / p99" for r in results)
    lines = [
        "# Scale: list and report latency against history size (issue 16 item 3, issue 13)",
        "",
        f"{when}; {machine}; load average after the run {load}. One client, one request at "
        f"a time, through the gateway as an administrator; up to {args.requests} requests per "
        f"endpoint within {args.budget:g} s (at least {args.min_requests}). History loaded with "
        "bench/scale/loader.py (COPY; 130 countries, FY 2022-2026, past years settled).",
        *([args.note] if args.note else []),
        "",
        f"| endpoint | {head} | p50 {n1:,}/{n0:,} | p99 {n1:,}/{n0:,} |",
        "|---|" + "---:|" * (len(results) + 2),
    ]
    ratios: dict[str, dict[str, float | None]] = {}
    for key, m0 in first["endpoints"].items():
        cells = []
        for r in results:
            m = r["endpoints"].get(key, {})
            cells.append("error" if "error" in m or not m
                         else f"{m['p50_ms']:.1f} / {m['p99_ms']:.1f} ms")  # fmt: skip
        m1 = last["endpoints"].get(key, {})
        ok = "p50_ms" in m0 and "p50_ms" in m1
        r50 = m1["p50_ms"] / m0["p50_ms"] if ok else None
        r99 = m1["p99_ms"] / m0["p99_ms"] if ok else None
        ratios[key] = {"p50": r50, "p99": r99}
        mark = "" if r50 is None or r50 <= 2 else " ✗"
        lines.append(f"| {m0['label']} | " + " | ".join(cells) +
                     (f" | {r50:.2f}{mark} | {r99:.2f} |" if ok else " | - | - |"))  # fmt: skip
    lines += ["", "Load time: " + ", ".join(
        f"{r['nominations']:,} in {r['load_seconds']} s (cumulative from the previous level)"
        for r in results) + "."]  # fmt: skip
    table = "\n".join(lines)
    print(table)
    out = args.results_dir
    out.mkdir(parents=True, exist_ok=True)
    svg = _plot(results, out / "scale.svg")
    (out / "scale.md").write_text(table + ("\n\n![p50 against history](scale.svg)\n" if svg
                                           else "\n"))  # fmt: skip
    raw = {"when": when, "machine": machine, "load_average": os.getloadavg(),
           "args": {k: str(v) for k, v in vars(args).items()}, "levels": results,
           "ratios_largest_to_smallest": ratios}  # fmt: skip
    (out / "scale.json").write_text(json.dumps(raw, indent=2) + "\n")
    (out / "scale.partial.json").unlink(missing_ok=True)
    return 0


def _plot(results: list[dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("svg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(8, 5))
    xs = [r["nominations"] for r in results]
    for key, m0 in results[0]["endpoints"].items():
        ys = [r["endpoints"].get(key, {}).get("p50_ms") for r in results]
        if all(y is not None for y in ys):
            ax.plot(xs, ys, marker="o", label=m0["label"].split(" (")[0])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("nominations of history")
    ax.set_ylabel("p50 latency (ms), through the gateway")
    ax.set_title("List and report latency against history size")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)
    return True


if __name__ == "__main__":
    sys.exit(main())
