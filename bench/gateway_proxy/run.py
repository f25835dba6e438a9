"""Measure the gateway's hot path against the bare endpoint behind it, in one run.

    .venv/bin/python bench/gateway_proxy/run.py [--duration 8] [--rounds 1] [--quick]

Starts a bare FastAPI endpoint (uvicorn, 1 worker), the gateway (`python -m gateway`, auth on,
1 worker) and the alternative hot paths of `alternatives.py`, drives each with wrk (default 32
connections, 8 s, after a warm-up), prints a Markdown table of req/s, p50, p99 and the ratio to
direct, and writes it with the raw numbers to bench/results/gateway_proxy.{md,json}.
Every process is our child, stopped by its PID when the run ends (or fails); the kernel
signals them too should this script be killed (PR_SET_PDEATHSIG).
Exit status 1 when the authenticated gateway path is below `--target` times direct.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from gateway.signing.issuer import issue_dev_token
from imet.infra.process import free_port, spawn, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ISSUER, AUDIENCE = "imet-bench", "imet-pipeline"
PING, HEALTH = "/api/v1/catalog/ping", "/api/v1/catalog/healthz"


@dataclass
class Target:
    key: str
    label: str
    url: str
    headers: dict[str, str]


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def main() -> int:
    args = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    work = Path(tempfile.mkdtemp(prefix="imet-bench-gateway-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        targets = _start_everything(args, work, procs)
        direct, others = targets[0], targets[1:]
        samples: dict[str, list[Sample]] = {t.key: [] for t in targets}
        ratios: dict[str, list[float]] = {t.key: [] for t in others}
        for round_ in range(args.rounds):
            # Each path is measured right after its own direct run and compared to it: the
            # speed of this shared 2-core box drifts by 2x within minutes, a pair much less.
            # The order rotates so no path always runs at the same point of a round.
            shift = round_ % len(others)
            for target in others[shift:] + others[:shift]:
                baseline = _measure(direct, args)
                measured = _measure(target, args)
                samples[direct.key].append(baseline)
                samples[target.key].append(measured)
                ratios[target.key].append(measured.rps / baseline.rps)
    finally:
        for proc in reversed(procs):
            stop_process(proc)
        shutil.rmtree(work, ignore_errors=True)
    return _report(args, targets, samples, ratios)


def _measure(target: Target, args: argparse.Namespace) -> Sample:
    _wrk(target, args, args.warmup)  # fill pools and caches; not recorded
    sample = _wrk(target, args, args.duration)
    # A slow path (httpx) still works off its queue after wrk stops; let it finish before the
    # next measurement, or that one pays for it.
    time.sleep(args.settle)
    return sample


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--settle", type=float, default=1.0, help="pause after each run (s)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--rounds", type=int, default=3, help="median of this many rounds")
    parser.add_argument("--target", type=float, default=0.6, help="minimum gateway/direct ratio")
    parser.add_argument("--quick", action="store_true", help="2 s runs, 1 s warm-up, 1 round")
    parser.add_argument(
        "--alternatives", default="raw,aiohttp,httpx", help="comma list of alternatives.py modes"
    )
    parser.add_argument("--results-dir", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.rounds = 2, 1, 1
    return args


def _uvicorn(app: str, port: int, app_dir: Path) -> list[str]:
    return [sys.executable, "-m", "uvicorn", app, "--app-dir", str(app_dir), "--host",
            "127.0.0.1", "--port", str(port), "--workers", "1", "--log-level", "warning",
            "--no-access-log"]  # fmt: skip


def _start(argv: list[str], name: str, port: int, work: Path, env: dict[str, str],
           procs: list[subprocess.Popen[bytes]]) -> str:  # fmt: skip
    proc = spawn(argv, log_path=work / f"{name}.log", env=env, cwd=ROOT)
    procs.append(proc)
    wait_for_port("127.0.0.1", port, timeout=20, proc=proc)
    return f"http://127.0.0.1:{port}"


def _start_everything(
    args: argparse.Namespace, work: Path, procs: list[subprocess.Popen[bytes]]
) -> list[Target]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "GATEWAY_"))}
    env.update(IMET_ENV="dev", LOG_LEVEL="WARNING", LOG_JSON="true")
    up_port = free_port()
    upstream = _start(
        _uvicorn("upstream:app", up_port, HERE), "upstream", up_port, work, env, procs
    )
    key_dir = work / "keys"
    token = issue_dev_token(key_dir, "admin", issuer=ISSUER, audience=AUDIENCE)
    bearer = {"Authorization": f"Bearer {token}"}
    gw_port = free_port()
    # The per-caller rate limit stays ON (its cost is part of the path) but high enough that
    # one token at full speed is never refused.
    gateway_env = {**env, "GATEWAY_PORT": str(gw_port), "GATEWAY_CATALOG_URL": upstream,
                   "GATEWAY_ADMIN_PORT": str(free_port()),
                   "GATEWAY_KEY_DIR": str(key_dir), "AUTH_JWKS_FILE": str(key_dir / "jwks.json"),
                   "AUTH_ISSUER": ISSUER, "AUTH_AUDIENCE": AUDIENCE,
                   "GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
                   "GATEWAY_RATE_LIMIT_BURST": "1000000"}  # fmt: skip
    gateway = _start(
        [sys.executable, "-m", "gateway"], "gateway", gw_port, work, gateway_env, procs
    )
    targets = [
        Target("direct", "direct (bare FastAPI + uvicorn)", upstream + PING, {}),
        Target("gateway", "gateway: raw ASGI + aiohttp, token verified", gateway + PING, bearer),
        Target("gateway_public", "gateway: public path (no token)", gateway + HEALTH, {}),
    ]
    labels = {"raw": "bare raw ASGI + aiohttp (no token, no headers, no ids)",
              "aiohttp": "FastAPI route + aiohttp (no auth)",
              "httpx": "FastAPI route + httpx.AsyncClient (no auth)"}  # fmt: skip
    for mode in filter(None, args.alternatives.split(",")):
        port = free_port()
        alt_env = {**env, "BENCH_UPSTREAM": upstream, "BENCH_PROXY_MODE": mode}
        url = _start(_uvicorn("alternatives:app", port, HERE), mode, port, work, alt_env, procs)
        targets.append(Target(mode, labels[mode], url + PING, {}))
    _check_same_answer(targets)
    return targets


def _check_same_answer(targets: list[Target]) -> None:
    """Refuse to measure a path that answers differently (e.g. 401s would be fast and wrong)."""
    answers = set()
    for target in targets:
        request = urllib.request.Request(target.url, headers=target.headers)  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            answers.add((response.status, response.read()))
    if len(answers) != 1:
        raise RuntimeError(f"targets answer differently: {answers}")


def _wrk(target: Target, args: argparse.Namespace, seconds: int) -> Sample:
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    for name, value in target.headers.items():
        argv += ["-H", f"{name}: {value}"]
    # argv is built here from our own targets, never from outside input.
    out = subprocess.run([*argv, target.url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.MULTILINE))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return Sample(rps, _ms(percentiles["50"]), _ms(percentiles["99"]), errors)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _report(
    args: argparse.Namespace,
    targets: list[Target],
    samples: dict[str, list[Sample]],
    pair_ratios: dict[str, list[float]],
) -> int:
    median = {key: _median(runs) for key, runs in samples.items()}
    ratios = {key: statistics.median(values) for key, values in pair_ratios.items()}
    ratios["direct"] = 1.0
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{_cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        f"wrk {args.threads} threads, {args.connections} connections, {args.duration} s "
        f"(+{args.warmup} s warm-up), {args.rounds} round(s); {when}; {machine}; "
        f"load average after the run {load}",
        "req/s, p50, p99: medians over the runs; vs direct: median over rounds of the ratio to "
        "the direct run made just before.",
        "",
        "| path to the bare endpoint | req/s | p50 | p99 | vs direct | errors |",
        "|---|---|---|---|---|---|",
    ]
    for target in targets:
        s = median[target.key]
        lines.append(f"| {target.label} | {s.rps:,.0f} | {s.p50_ms:.2f} ms | {s.p99_ms:.2f} ms "
                     f"| {ratios[target.key]:.2f} | {s.errors} |")  # fmt: skip
    ratio = ratios["gateway"]
    verdict = "meets" if ratio >= args.target else "MISSES"
    lines += ["", f"Authenticated gateway path: {ratio:.2f}x direct ({verdict} {args.target}x)."]
    table = "\n".join(lines)
    print(table)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / "gateway_proxy.md").write_text(table + "\n")
    raw = {"when": when, "machine": machine, "args": {k: str(v) for k, v in vars(args).items()},
           "samples": {k: [asdict(s) for s in v] for k, v in samples.items()},
           "pair_ratios_vs_direct": pair_ratios, "load_average": os.getloadavg()}  # fmt: skip
    (args.results_dir / "gateway_proxy.json").write_text(json.dumps(raw, indent=2) + "\n")
    return 0 if ratio >= args.target else 1


def _median(runs: list[Sample]) -> Sample:
    middle = sorted(runs, key=lambda s: s.rps)[len(runs) // 2]
    return Sample(statistics.median(s.rps for s in runs), middle.p50_ms, middle.p99_ms,
                  sum(s.errors for s in runs))  # fmt: skip


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


if __name__ == "__main__":
    sys.exit(main())
