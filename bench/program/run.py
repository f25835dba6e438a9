"""Program-year benchmark (issue 16 item 2, ADR 0145): a whole year's nominations through the
stack, every role of every service in its own process, the load from a separate process.

    .venv/bin/python -m bench.program.run [--quick] [--nominations 6000] [--countries 130]
                                          [--instances 1,2] [--label full]

Per layout (`--instances`: consumer processes per service) a fresh private stack (embedded
PostgreSQL and Tansu; per service one `http`, N `consumer` and one `relay,jobs` process; the
gateway), the program's reference data set up through the API (`plan.prepare`), then the load
process (`load.py`, 16 clients) is started and the clock runs from its first submit until every
nomination settled (`measure.wait_settled`). Then: latency, event lag, events per nomination
and CPU from the database and /proc, the invariants (`invariants.py`; a run that breaks one is
failed), and the CPU of one bare HTTP request (a FastAPI hello under wrk) as the unit of CPU.
Results in bench/results/program.{json,md,svg}; every process is stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.gateway_proxy.run import HERE as PROXY_BENCH
from bench.gateway_proxy.run import _uvicorn
from bench.idle_cost.run import TICKS, _stat
from bench.program import measure, report
from bench.program.invariants import check
from bench.program.plan import Mix, Plan, draw, prepare
from bench.program.profile import busiest, spy
from gateway.signing.issuer import issue_dev_token
from imet.infra.process import free_port, spawn, stop_process, wait_for_port
from imet.provision import with_database
from imet.stack import Stack, StackOptions
from shared.db.engine import plain_dsn
from tests.e2e.driver import Driver
from tests.faults.invariants import consumed_by, wait_at_rest

ROOT = Path(__file__).resolve().parents[2]


def layout(instances: int) -> tuple[str, ...]:
    return ("http", *(["consumer"] * instances), "relay,jobs")


def run_layout(mix: Mix, instances: int, within: float) -> dict[str, Any]:
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        os.environ.pop(name, None)  # always a private embedded stack
    var = Path(tempfile.mkdtemp(prefix="imet-program-"))
    options = StackOptions.random_ports(
        var=var, database="program", role_prefix="program_", seed=False,
        service_processes=layout(instances), ready_timeout=180.0,
    )  # fmt: skip
    stack = Stack(options)
    stack.start(say=lambda *_: None)
    try:
        return asyncio.run(_measure(stack, mix, instances, var, within))
    finally:
        stack.stop()
        if not os.environ.get("IMET_BENCH_KEEP"):
            shutil.rmtree(var, ignore_errors=True)


async def _measure(
    stack: Stack, mix: Mix, instances: int, var: Path, within: float
) -> dict[str, Any]:
    dsn = plain_dsn(with_database(stack.admin_url, stack.options.database))
    consumes = consumed_by(stack.platform_env())
    conn = await asyncpg.connect(dsn)

    def token(role: str, country: str | None = None) -> str:
        return issue_dev_token(stack.key_dir, role, country=country)

    async def known(ids: list[str]) -> int:
        return int(await conn.fetchval(
            "SELECT count(*) FROM nomination.course_class WHERE class_id::text = ANY($1)", ids
        ))  # fmt: skip

    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=120.0) as client:
        driver = Driver(client, token)
        plan = draw(mix)
        await prepare(plan, driver, known)
        await wait_at_rest(dsn, stack.bootstrap_servers, consumes)
        plan_file, out_file = var / "plan.json", var / "load.json"
        plan_file.write_text(json.dumps(plan.to_json()))
        since = await conn.fetchval("SELECT now()")
        load_average = os.getloadavg()[0]
        before = measure.ticks(stack)
        load = spawn(
            [sys.executable, "-m", "bench.program.load", "--plan", str(plan_file),
             "--gateway", stack.gateway_url, "--key-dir", str(stack.key_dir),
             "--out", str(out_file)],
            log_path=var / "load.log", env=dict(os.environ), cwd=ROOT,
        )  # fmt: skip
        try:
            profiling = asyncio.create_task(_profile(stack, dsn, len(plan.lines)))
            settled_at, counts = await measure.wait_settled(
                conn, len(plan.lines), alive=lambda: load.poll() is None, within=within
            )
            after = measure.ticks(stack)
            load_ticks = (_stat(load.pid) or (0, 0))[1]
        finally:
            stop_process(load, sig=signal.SIGTERM, timeout=30)
            log = var / "load.log"
            if log.exists():  # kept beside the results' temp files (the stack's var goes)
                shutil.copy(log, Path(tempfile.gettempdir()) / f"imet-program-load-{instances}.log")
        profiled = await _finish(profiling)
        seen = json.loads(out_file.read_text())
        behind = await wait_at_rest(dsn, stack.bootstrap_servers, consumes)
        result = await _numbers(conn, plan, seen, since, settled_at, before, after)
        result["load_process_cpu_s"] = round(load_ticks / TICKS, 2)
        # Other work on the machine (a shared box) takes cores from the stack: how much it got.
        result["machine_load_average_1m"] = [round(load_average, 1), round(os.getloadavg()[0], 1)]
        result["stack_share_of_machine"] = round(
            result["cpu_s_total"] / (result["wall_s"] * (os.cpu_count() or 1)), 2
        )
        result["profile"] = profiled
        violations = await check(plan, driver, seen["nominations"], behind)
    await conn.close()
    violations += [f"load client failed: {e}" for e in seen["errors"]]
    violations += [f"5xx answered: {e}" for e in seen["server_errors"]]
    result.update(instances=instances, layout=list(layout(instances)), counts_at_settle=counts,
                  violations=violations, ok=not violations)  # fmt: skip
    return result


async def _numbers(
    conn: asyncpg.Connection, plan: Plan, seen: dict[str, Any], since: Any, settled_at: float,
    before: dict[str, int], after: dict[str, int],
) -> dict[str, Any]:  # fmt: skip
    n = len(plan.lines)
    wall = settled_at - seen["first_submit"]
    cpu = measure.cpu_seconds(before, after)
    lag = await measure.event_lag(conn, since)
    return {
        "nominations": n,
        "wall_s": round(wall, 1),
        "nominations_per_s": round(n / wall, 1),
        "latency": await measure.latency(conn),
        **lag,
        "events_per_nomination": round(sum(lag["events"].values()) / n, 2),
        "outcomes": await measure.outcomes(conn),
        "client": {"stats": seen["stats"], "answers": seen["answers"]},
        "cpu_s": dict(sorted(cpu.items(), key=lambda kv: -kv[1])),
        "cpu_s_total": round(sum(cpu.values()), 1),
        "cpu_ms_per_nomination": round(1000 * sum(cpu.values()) / n, 2),
    }


async def _profile(stack: Stack, dsn: str, expected: int) -> dict[str, Any]:
    name, pid, spent = await busiest(stack, dsn, expected)
    return {"process": name, "cpu_s_over_2s": spent, **await spy(pid)}


async def _finish(task: asyncio.Task[dict[str, Any]]) -> dict[str, Any]:
    if not task.done():
        task.cancel()
        return {"error": "the run settled before the profile was taken"}
    try:
        return task.result()
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}


def bare_request_cpu(var: Path, seconds: int = 5) -> dict[str, Any]:
    """CPU-seconds the bare FastAPI hello (bench/gateway_proxy/upstream.py) spends per request
    under wrk (16 connections): the unit the stack's CPU per nomination is expressed in."""
    port = free_port()
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    proc = spawn(_uvicorn("upstream:app", port, PROXY_BENCH), log_path=var / "bare.log",
                 env=env, cwd=ROOT)  # fmt: skip
    try:
        wait_for_port("127.0.0.1", port, timeout=20, proc=proc)
        url = f"http://127.0.0.1:{port}/api/v1/catalog/healthz"
        subprocess.run(["wrk", "-t1", "-c16", "-d1s", url], capture_output=True, check=True)  # noqa: S603,S607
        start = (_stat(proc.pid) or (0, 0))[1]
        out = subprocess.run(["wrk", "-t1", "-c16", f"-d{seconds}s", url],  # noqa: S603,S607
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
        spent = ((_stat(proc.pid) or (0, 0))[1] - start) / TICKS
    finally:
        stop_process(proc)
    requests = int(out.split(" requests in ")[0].split()[-1])
    return {"requests": requests, "cpu_s": round(spent, 2),
            "cpu_ms_per_request": round(1000 * spent / requests, 4)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="600 nominations in 13 countries")
    parser.add_argument("--nominations", type=int, default=6000)
    parser.add_argument("--countries", type=int, default=130)
    parser.add_argument("--instances", default="1,2", help="consumer processes per service")
    parser.add_argument("--label", default=None, help="key in the results (quick / full)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to settle")
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C: every `finally` runs, the stack is stopped by PID.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.nominations, args.countries = 600, 13
    label = args.label or ("quick" if args.quick else "full")
    mix = Mix(nominations=args.nominations, countries=args.countries)
    work = Path(tempfile.mkdtemp(prefix="imet-program-bare-"))
    try:
        bare = bare_request_cpu(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    runs = {}
    for instances in (int(x) for x in args.instances.split(",")):
        print(f"program year: {mix.nominations} nominations, {instances} consumer(s)", flush=True)
        started = time.monotonic()
        run = run_layout(mix, instances, args.timeout)
        run["bench_s"] = round(time.monotonic() - started, 1)
        run["cpu_per_nomination_in_bare_requests"] = round(
            run["cpu_ms_per_nomination"] / bare["cpu_ms_per_request"], 1
        )
        runs[f"{instances} instance{'s' if instances > 1 else ''}"] = run
        keep = Path(tempfile.gettempdir()) / f"imet-program-{label}-{instances}.json"
        keep.write_text(json.dumps(run, indent=1, default=str))  # a crash below loses nothing
        shown = {k: v for k, v in run.items() if k not in ("profile", "cpu_s")}
        print(json.dumps(shown, indent=1, default=str), flush=True)
    report.write(label, mix, bare, runs)
    return 0 if all(r["ok"] for r in runs.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
