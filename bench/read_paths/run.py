"""The hot reads users feel, as ratios to ceilings measured in the same run (issue 16, item 1).

    .venv/bin/python -m bench.read_paths.run [--duration 6] [--rounds 3] [--quick]
        [--reads course_search,course_detail] [--label before-x]

Starts the `make run` stack (embedded PostgreSQL and Tansu, the four services, the gateway, demo
data) on free ports and a bare FastAPI "hello" endpoint, creates one nomination, then for each
hot read - course search, course detail, class list with free seats, nomination detail, a
country's balances - drives with wrk (a separate process): the bare hello (the HTTP ceiling),
the service directly (token verified by the service) and the same request through the gateway.
A raw asyncpg loop (the same kind of point read, 32 connections) is the database ceiling.
Each read's pair is measured right after its own hello run, the order rotating per round; the
figure is the median over rounds of the ratio to that hello. Results: bench/results/
read_paths.{json,md,svg}, or read_paths_<label>.{json,md,svg} with `--label` (a before/after step
of ADR 0120; `--reads` measures only the named reads).
Every process is a child of this script, stopped by PID at the end.
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
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.gateway_proxy.run import Sample, Target, _cpu_model, _uvicorn, _wrk
from bench.read_paths.plot import bar_chart
from gateway.signing.issuer import issue_dev_token
from imet.infra.process import free_port, spawn, stop_process, wait_for_port
from imet.provision import with_database
from imet.stack import Stack, StackOptions
from shared.db.engine import plain_dsn

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM_DIR = ROOT / "bench" / "gateway_proxy"
CATALOG, FUNDING, NOMINATIONS = "/api/v1/catalog", "/api/v1/funding", "/api/v1/nominations"


@dataclass
class Read:
    key: str
    label: str
    service: str
    path: str


def main() -> int:
    args = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        os.environ.pop(name, None)  # always a private embedded stack
    var = Path(tempfile.mkdtemp(prefix="imet-bench-reads-"))
    options = StackOptions.random_ports(
        var=var, database="bench_reads", role_prefix="benchr_",
        extra_env={"GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
                   "GATEWAY_RATE_LIMIT_BURST": "1000000", "LOG_LEVEL": "WARNING"},
    )  # fmt: skip
    stack = Stack(options)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        stack.start(say=lambda *_: None)
        hello_port = free_port()
        hello = spawn(_uvicorn("upstream:app", hello_port, UPSTREAM_DIR),
                      log_path=var / "hello.log", env=dict(os.environ), cwd=ROOT)  # fmt: skip
        procs.append(hello)
        wait_for_port("127.0.0.1", hello_port, timeout=20, proc=hello)
        token = issue_dev_token(stack.key_dir, "admin")
        reads = asyncio.run(_prepare(stack, token))
        if args.reads:
            wanted = set(args.reads.split(","))
            reads = [r for r in reads if r.key in wanted]
            if not reads:
                sys.exit(f"--reads names none of the reads: {args.reads}")
        result = _run(args, stack, token, f"http://127.0.0.1:{hello_port}", reads)
    finally:
        for proc in procs:
            stop_process(proc)
        stack.stop()
        shutil.rmtree(var, ignore_errors=True)
    return _report(args, result)


async def _prepare(stack: Stack, token: str) -> list[Read]:
    """Ids of real demo data, and one nomination (a draft) to read back."""
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=stack.gateway_url, headers=auth, timeout=30) as c:
        course = (await _get(c, f"{CATALOG}/courses", limit=1))["items"][0]
        klass = (await _get(c, f"{CATALOG}/classes", has_seats="true", limit=1))["items"][0]
        balance = (await _get(c, f"{FUNDING}/balances", limit=1))["items"][0]
        country = balance["country"]
        sco = {"Authorization": f"Bearer {issue_dev_token(stack.key_dir, 'sco', country)}"}
        nomination_id = await _draft(c, sco, country, klass)
    return [
        Read("course_search", "course search (q, 20 a page)", "catalog",
             f"{CATALOG}/courses?q={course['title'].split()[0]}&limit=20"),
        Read("course_detail", "course detail", "catalog", f"{CATALOG}/courses/{course['masl_id']}"),
        Read("class_list", "classes with free seats (20 a page)", "catalog",
             f"{CATALOG}/classes?has_seats=true&limit=20"),
        Read("nomination_detail", "nomination detail", "nomination",
             f"{NOMINATIONS}/{nomination_id}"),
        Read("balances", "a country's balances", "funding",
             f"{FUNDING}/balances?country={country}&limit=20"),
    ]  # fmt: skip


async def _get(c: httpx.AsyncClient, path: str, **params: Any) -> Any:
    r = await c.get(path, params=params)
    r.raise_for_status()
    return r.json()


async def _draft(c: httpx.AsyncClient, sco: dict[str, str], country: str, klass: Any) -> str:
    today = dt.date.today()
    person = {
        "family_names": "BENCH READER", "given_names": "Alex", "country": country, "sex": "F",
        "date_of_birth": "1988-04-02", "place_of_birth": "Capital", "service": "army",
        "rank": "Captain", "pay_grade": "O-3", "unit_name": "1st Infantry Brigade",
        "position": "Company commander", "passport_number": "PBENCH001",
        "english_tests": [{"test": "ecl", "score": 90,
                           "taken_on": (today - dt.timedelta(days=10)).isoformat()}],
    }  # fmt: skip
    r = await c.post(f"{NOMINATIONS}/candidates", json=person, headers=sco)
    r.raise_for_status()
    screening = {"recorded_on": today.isoformat(), "reference": "BENCH-1"}
    r = await c.post(NOMINATIONS, headers=sco, json={
        "candidate_id": r.json()["id"], "class_id": klass["id"], "masl_id": klass["masl_id"],
        "fiscal_year": klass["fiscal_year"], "funding_source": "imet",
        "medical_clearance": screening, "security_screening": screening,
    })  # fmt: skip
    r.raise_for_status()
    return str(r.json()["id"])


def _run(
    args: argparse.Namespace, stack: Stack, token: str, hello_url: str, reads: list[Read]
) -> dict[str, Any]:
    bearer = {"Authorization": f"Bearer {token}"}
    hello = Target("hello", "bare FastAPI hello", hello_url + "/api/v1/catalog/healthz", {})
    pairs = {
        read.key: (
            Target(f"{read.key}:direct", read.label, _service_url(stack, read), bearer),
            Target(f"{read.key}:gateway", read.label, stack.gateway_url + read.path, bearer),
        )
        for read in reads
    }
    _check_ok([hello, *(t for pair in pairs.values() for t in pair)])
    samples: dict[str, list[Sample]] = {"hello": []}
    ratios: dict[str, list[float]] = {}
    for t in (t for pair in pairs.values() for t in pair):
        samples[t.key], ratios[t.key] = [], []
    db: list[float] = []
    for round_ in range(args.rounds):
        shift = round_ % len(reads)
        for read in reads[shift:] + reads[:shift]:
            ceiling = _measure(hello, args)
            samples["hello"].append(ceiling)
            for target in pairs[read.key]:
                measured = _measure(target, args)
                samples[target.key].append(measured)
                ratios[target.key].append(measured.rps / ceiling.rps)
        db.append(asyncio.run(_asyncpg_loop(stack, args.duration, args.connections)))
    return {"reads": reads, "samples": samples, "ratios": ratios, "asyncpg_qps": db}


def _service_url(stack: Stack, read: Read) -> str:
    return f"http://127.0.0.1:{stack.options.ports[read.service]}{read.path}"


def _check_ok(targets: list[Target]) -> None:
    """Refuse to measure a path that does not answer 200 (a fast 401 would be a lie)."""
    for t in targets:
        r = httpx.get(t.url, headers=t.headers, timeout=10)
        if r.status_code != 200:
            raise RuntimeError(f"{t.key}: {t.url} answered {r.status_code}: {r.text[:300]}")


def _measure(target: Target, args: argparse.Namespace) -> Sample:
    _wrk(target, args, args.warmup)
    sample = _wrk(target, args, args.duration)
    time.sleep(args.settle)
    return sample


async def _asyncpg_loop(stack: Stack, seconds: float, connections: int) -> float:
    """Point reads of a course by MASL number on a pool: queries/s (the database ceiling)."""
    dsn = plain_dsn(with_database(stack.admin_url, stack.options.database))
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    try:
        masl = await pool.fetchval("SELECT masl_id FROM catalog.course LIMIT 1")
        done = 0
        stop_at = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal done
            async with pool.acquire() as conn:
                stmt = await conn.prepare("SELECT * FROM catalog.course WHERE masl_id = $1")
                while time.monotonic() < stop_at:
                    await stmt.fetchrow(masl)
                    done += 1

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return done / (time.monotonic() - start)
    finally:
        await pool.close()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=6, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--settle", type=float, default=0.5, help="pause after each run (s)")
    parser.add_argument("--rounds", type=int, default=3, help="median of this many rounds")
    parser.add_argument("--quick", action="store_true", help="2 s runs, 1 s warm-up, 1 round")
    parser.add_argument("--results-dir", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--reads", help="comma-separated read keys (default: all)")
    parser.add_argument("--label", help="write read_paths_<label>.* (a before/after step)")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.rounds = 2, 1, 1
    return args


def _report(args: argparse.Namespace, result: dict[str, Any]) -> int:
    reads: list[Read] = result["reads"]
    samples: dict[str, list[Sample]] = result["samples"]
    ratios = {k: statistics.median(v) for k, v in result["ratios"].items()}
    rps = {k: statistics.median(s.rps for s in v) for k, v in samples.items()}
    p99 = {k: statistics.median(s.p99_ms for s in v) for k, v in samples.items()}
    errors = {k: sum(s.errors for s in v) for k, v in samples.items()}
    qps = statistics.median(result["asyncpg_qps"])
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    load = " / ".join(f"{v:.2f}" for v in os.getloadavg())
    lines = [
        "# Read paths (issue 16, item 1)",
        "",
        f"wrk {args.threads} thread(s), {args.connections} connections, {args.duration} s "
        f"(+{args.warmup} s warm-up), {args.rounds} round(s); {when}; {machine}; load average "
        f"after the run {load}. Ratios: median over rounds of req/s ÷ the bare hello measured "
        "just before (same run). Authenticated as admin; the stack is `make run`'s (one "
        "process per service with every role).",
        "",
        f"Ceilings: bare FastAPI hello {rps['hello']:,.0f} req/s (p99 {p99['hello']:.1f} ms); "
        f"raw asyncpg point read, {args.connections} connections: {qps:,.0f} queries/s.",
        "",
        "| read | direct req/s | direct ÷ hello | gateway req/s | gateway ÷ hello | "
        "gateway p99 | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in reads:
        d, g = f"{r.key}:direct", f"{r.key}:gateway"
        lines.append(
            f"| {r.label} | {rps[d]:,.0f} | {ratios[d]:.3f} | {rps[g]:,.0f} | {ratios[g]:.3f} | "
            f"{p99[g]:.1f} ms | {errors[d] + errors[g]} |"
        )
    table = "\n".join(lines)
    print(table)
    out = args.results_dir
    out.mkdir(parents=True, exist_ok=True)
    name = f"read_paths_{args.label}" if args.label else "read_paths"
    (out / f"{name}.md").write_text(table + f"\n\n![ratios]({name}.svg)\n")
    (out / f"{name}.svg").write_text(bar_chart(
        "Hot reads as a share of a bare FastAPI hello (same run)",
        [r.label for r in reads],
        {"service direct": [ratios[f"{r.key}:direct"] for r in reads],
         "through the gateway": [ratios[f"{r.key}:gateway"] for r in reads]},
    ))  # fmt: skip
    raw = {
        "when": when, "machine": machine, "load_average": os.getloadavg(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "reads": [asdict(r) for r in reads],
        "samples": {k: [asdict(s) for s in v] for k, v in samples.items()},
        "ratios_to_hello": result["ratios"], "asyncpg_qps": result["asyncpg_qps"],
    }  # fmt: skip
    (out / f"{name}.json").write_text(json.dumps(raw, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
