"""Where a read's time goes: py-spy samples the serving process while wrk drives the read.

    .venv/bin/python -m bench.read_paths.profile course_detail [--via gateway] [--seconds 15]

Uses the same stack and reads as `bench.read_paths.run`. The service process (or the gateway,
`--via gateway`) is sampled by `py-spy record --format raw` (collapsed stacks, active threads
only); the summary lists the functions with the largest inclusive share of the samples, the
grouping this project reads a profile by (our code, SQLAlchemy, asyncpg, pydantic, FastAPI /
Starlette, JSON, JWT). Results: bench/results/profile_<read>_<via>.{md,txt}.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench.gateway_proxy.run import Target, _wrk
from bench.read_paths.run import ROOT, _prepare, _service_url
from gateway.signing.issuer import issue_dev_token
from imet.stack import Stack, StackOptions

GROUPS = (
    ("sqlalchemy", "SQLAlchemy"), ("asyncpg", "asyncpg"), ("pydantic", "pydantic"),
    ("fastapi", "FastAPI"), ("starlette", "Starlette"), ("jwt", "JWT (PyJWT)"),
    ("cryptography", "cryptography"), ("json", "JSON"), ("uvicorn", "uvicorn"),
    ("aiohttp", "aiohttp"), ("shared/", "shared/ (ours)"), ("services/", "services (ours)"),
    ("gateway/", "gateway (ours)"),
)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("read")
    parser.add_argument("--via", choices=("direct", "gateway"), default="direct")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--results-dir", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if shutil.which("py-spy") is None and not (Path(sys.executable).parent / "py-spy").exists():
        sys.exit("py-spy is not installed (pip install py-spy)")
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        os.environ.pop(name, None)
    var = Path(tempfile.mkdtemp(prefix="imet-bench-profile-"))
    stack = Stack(StackOptions.random_ports(
        var=var, database="bench_profile", role_prefix="benchp_",
        extra_env={"GATEWAY_RATE_LIMIT_PER_SECOND": "1000000",
                   "GATEWAY_RATE_LIMIT_BURST": "1000000", "LOG_LEVEL": "WARNING"},
    ))  # fmt: skip
    raw = var / "stacks.txt"
    try:
        stack.start(say=lambda *_: None)
        token = issue_dev_token(stack.key_dir, "admin")
        read = next(r for r in asyncio.run(_prepare(stack, token)) if r.key == args.read)
        url = stack.gateway_url + read.path if args.via == "gateway" else _service_url(stack, read)
        process = "gateway" if args.via == "gateway" else read.service
        pid = stack.processes[process].pid
        target = Target(read.key, read.label, url, {"Authorization": f"Bearer {token}"})
        wrk_args = argparse.Namespace(threads=1, connections=args.connections)
        load = threading.Thread(target=_wrk, args=(target, wrk_args, args.seconds + 4))
        load.start()
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        subprocess.run(  # noqa: S603 - our own argv
            [spy, "record", "-p", str(pid), "-d", str(args.seconds), "-r", "200",
             "-f", "raw", "-o", str(raw), "--nonblocking"],
            check=True, capture_output=True,
        )  # fmt: skip
        load.join()
        text = raw.read_text()
    finally:
        stack.stop()
    name = f"profile_{args.read}_{args.via}"
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / f"{name}.txt").write_text(text)
    summary = summarise(text, f"{read.label} ({args.via}, process `{process}`)")
    (args.results_dir / f"{name}.md").write_text(summary)
    print(summary)
    shutil.rmtree(var, ignore_errors=True)
    return 0


def summarise(collapsed: str, title: str, top: int = 30) -> str:
    """Inclusive share per function and per library group from py-spy's collapsed stacks."""
    total = 0
    per_function: collections.Counter[str] = collections.Counter()
    per_group: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        leaf[frames[-1]] += count
        for frame in set(frames):
            per_function[frame] += count
        for group in {label for f in frames for key, label in GROUPS if key in f}:
            per_group[group] += count
    lines = [f"# Profile: {title}", "", f"{total} samples (active threads).", "",
             "| group (inclusive) | share |", "|---|---:|"]  # fmt: skip
    lines += [f"| {g} | {100 * n / total:.1f}% |" for g, n in per_group.most_common()]
    lines += ["", "| function (inclusive) | share |", "|---|---:|"]
    for frame, n in per_function.most_common(top):
        lines.append(f"| `{frame.replace('|', '/')[:140]}` | {100 * n / total:.1f}% |")
    lines += ["", "| function (self: the sample's innermost frame) | share |", "|---|---:|"]
    for frame, n in leaf.most_common(top):
        lines.append(
            f"| `{(frame or '(idle)').replace('|', '/')[:140]}` | {100 * n / total:.1f}% |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
