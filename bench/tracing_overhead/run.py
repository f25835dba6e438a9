"""What tracing costs a gateway read: the same stack with tracing off and on (ADR 0090).

    .venv/bin/python -m bench.tracing_overhead.run [--duration 8] [--rounds 3]

Starts two `make run` stacks side by side on one embedded PostgreSQL and Tansu (demo data in
each): one with tracing off (the default), one with `IMET_TRACING=otlp` exporting in batches
over OTLP/HTTP to a sink in this process that answers 200 and counts what it got (a collector
that costs nothing). Both are idle but for the load, so each pays the other's idle cost alike.
For each round wrk (a separate process) drives a course detail read through each stack's
gateway (gateway SERVER + aiohttp CLIENT spans, the catalog's SERVER span and its SQL
statements' spans), the order alternating per round; the figure is the median over rounds of
the on/off ratio of each pair. Then the per-call cost of the helpers the hot path calls when
tracing is off (they return at their first line). Results: bench/results/tracing_overhead.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.server
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import timeit
from pathlib import Path
from typing import Any

import httpx

from bench.gateway_proxy.run import Sample, Target, _cpu_model, _wrk
from gateway.signing.issuer import issue_dev_token
from imet.infra.process import free_port
from imet.stack import Stack, StackOptions

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
CATALOG = "/api/v1/catalog"


class _Sink(http.server.BaseHTTPRequestHandler):
    received = 0
    requests = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        _Sink.received += length
        _Sink.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


def main() -> int:
    args = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "IMET_TRACING", "OTEL_TRACES_EXPORTER"):
        os.environ.pop(name, None)
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    var = Path(tempfile.mkdtemp(prefix="imet-bench-tracing-"))
    quiet = {"GATEWAY_RATE_LIMIT_PER_SECOND": "1000000", "GATEWAY_RATE_LIMIT_BURST": "1000000",
             "LOG_LEVEL": "WARNING"}  # fmt: skip
    off = Stack(StackOptions.random_ports(
        var=var / "off", database="bench_trace_off", role_prefix="bencht0_", extra_env=quiet,
    ))  # fmt: skip
    on: Stack | None = None
    try:
        off.start(say=lambda *_: None)
        on = Stack(StackOptions.random_ports(
            var=var / "on", database="bench_trace_on", role_prefix="bencht1_",
            admin_url=off.admin_url, bootstrap_servers=off.bootstrap_servers,
            topic_prefix="on.",
            extra_env={**quiet, "IMET_TRACING": "otlp",
                       "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{sink.server_port}"},
        ))  # fmt: skip
        on.start(say=lambda *_: None)
        targets = {"off": _target(off, "off"), "on": _target(on, "on")}
        samples: dict[str, list[Sample]] = {"off": [], "on": []}
        ratios: list[float] = []
        for round_ in range(args.rounds):
            order = ["off", "on"] if round_ % 2 == 0 else ["on", "off"]
            got = {}
            for key in order:
                _wrk(targets[key], args, args.warmup)
                got[key] = _wrk(targets[key], args, args.duration)
                samples[key].append(got[key])
            ratios.append(got["on"].rps / got["off"].rps)
    finally:
        if on is not None:
            on.stop()
        off.stop()
        sink.shutdown()
        shutil.rmtree(var, ignore_errors=True)
    return _report(args, samples, ratios, _off_helpers())


def _target(stack: Stack, key: str) -> Target:
    token = issue_dev_token(stack.key_dir, "admin")
    auth = {"Authorization": f"Bearer {token}"}

    async def first_course() -> str:
        async with httpx.AsyncClient(base_url=stack.gateway_url, headers=auth, timeout=30) as c:
            r = await c.get(f"{CATALOG}/courses", params={"limit": 1})
            r.raise_for_status()
            return str(r.json()["items"][0]["masl_id"])

    masl = asyncio.run(first_course())
    url = f"{stack.gateway_url}{CATALOG}/courses/{masl}"
    return Target(key, f"tracing {key}", url, auth)


def _off_helpers() -> dict[str, float]:
    """ns per call of what the request path runs with tracing off."""
    from shared import tracing
    from shared.observability import add_trace_ids

    assert not tracing.enabled()

    def consume() -> None:
        with tracing.consume_span(consumer="c", topic="t", partition=0, event_id="e",
                                  event_type="x", traceparent=None):  # fmt: skip
            pass

    calls = {
        "current_traceparent()": tracing.current_traceparent,
        "outbox_traceparent()": tracing.outbox_traceparent,
        "consume_span(...) enter+exit": consume,
        "add_trace_ids (log processor)": lambda: add_trace_ids(None, "info", {}),
    }
    n = 200_000
    return {
        name: min(timeit.repeat(fn, number=n, repeat=3)) / n * 1e9 for name, fn in calls.items()
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16)
    return parser.parse_args()


def _report(
    args: argparse.Namespace,
    samples: dict[str, list[Sample]],
    ratios: list[float],
    helpers: dict[str, float],
) -> int:
    med = {
        key: Sample(
            statistics.median(s.rps for s in runs), statistics.median(s.p50_ms for s in runs),
            statistics.median(s.p99_ms for s in runs), sum(s.errors for s in runs),
        )
        for key, runs in samples.items()
    }  # fmt: skip
    ratio = statistics.median(ratios)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "# Tracing overhead: a gateway read with tracing off and on (ADR 0090)",
        "",
        f"wrk {args.threads} thread(s), {args.connections} connections, {args.duration} s "
        f"(+{args.warmup} s warm-up), {args.rounds} round(s), order alternating; {when}; "
        f"{_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average after the run {load}",
        "",
        "Read: `GET /api/v1/catalog/courses/{masl}` through the gateway (token verified). "
        "On: `IMET_TRACING=otlp`, BatchSpanProcessor, OTLP/HTTP protobuf to a local sink that "
        f"answers 200 ({_Sink.requests} export requests, {_Sink.received / 1e6:.1f} MB received).",
        "",
        "| tracing | req/s | p50 | p99 | errors |",
        "|---|---|---|---|---|",
        *(
            f"| {key} | {m.rps:,.0f} | {m.p50_ms:.2f} ms | {m.p99_ms:.2f} ms | {m.errors} |"
            for key, m in med.items()
        ),
        "",
        f"on/off throughput (median of the per-round pairs): **{ratio:.2f}** "
        f"(pairs: {', '.join(f'{r:.2f}' for r in ratios)})",
        "",
        "Tracing off, per call of the helpers on the request/event path (ns, best of 3):",
        "",
        "| helper | ns/call |",
        "|---|---|",
        *(f"| `{name}` | {ns:.0f} |" for name, ns in helpers.items()),
        "",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "tracing_overhead.md").write_text("\n".join(lines))
    data = {"samples": {k: [s.__dict__ for s in v] for k, v in samples.items()},
            "ratios": ratios, "off_helpers_ns": helpers}  # fmt: skip
    (RESULTS / "tracing_overhead.json").write_text(json.dumps(data, indent=2) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
