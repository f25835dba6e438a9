"""`make bench`: every benchmark, results (JSON + Markdown, SVG where plotted) in bench/results/.

Benchmarks are ratios measured in one run on the same machine (SPEC section 9), so they hold on
a noisy 2-core box. Today:
1. `gateway_proxy`: the gateway's proxy path against the bare endpoint behind it (ADR 0002);
2. `read_paths`: the hot reads users feel (course search and detail, classes with free seats,
   nomination detail, balances) direct and through the gateway, as ratios to a bare FastAPI
   hello, with a raw asyncpg ceiling (issue 16, ADR 0120);
3. `messaging`: the outbox relay's publish rate and a real consumer's apply rate against raw
   aiokafka with the same client settings on the same broker (issue 16 item 4);
4. `idle_cost`: CPU of the whole idle stack per process, and event latency (ADR 0054);
5. `scale`: list and report latency at 10^4/10^5/10^6 nominations of history (ADR 0125;
   `IMET_BENCH_SCALE_LEVELS=10000,100000` for a shorter run);
6. `program`: a program year (6,000 nominations, 130 countries) through the whole stack with
   every role in its own process, 16 clients in a load process, 1 and 2 consumer instances per
   service: wall time, latency, event lag, CPU per nomination, invariants kept (ADR 0145).
Each runs as its own process (its own private stack). Needs `wrk` (Debian: `apt-get install wrk`).

    .venv/bin/python -m bench [--quick] [--only gateway_proxy|...|scale|program]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

BENCHMARKS = ("gateway_proxy", "read_paths", "messaging", "idle_cost", "scale", "program")
# What `--quick` means to each (a smoke of the same code, not a measurement).
QUICK = {
    "gateway_proxy": ["--quick"],
    "read_paths": ["--quick"],
    "messaging": ["--events", "300", "--rounds", "1"],
    "idle_cost": ["--idle", "10", "--sparse", "5", "--steady", "2", "--label", "quick"],
    "scale": ["--levels", "10000"],
    "program": ["--quick"],
}


RESULTS = Path(__file__).resolve().parent / "results"


def headline(markdown: str) -> list[str]:
    """The first table of a results file: what a bench's Markdown leads with."""
    lines = markdown.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if start is None:
        return []
    table: list[str] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    return table


def summary(names: list[str]) -> str:
    """One block per bench: its results file and the table it leads with."""
    blocks = []
    for name in names:
        path = RESULTS / f"{name}.md"
        if path.exists():
            table = headline(path.read_text(encoding="utf-8"))
            blocks.append("\n".join([f"-- {path.relative_to(RESULTS.parent.parent)}", *table]))
    return "\n\n".join(blocks)


def main() -> int:
    parser = argparse.ArgumentParser(description="Every benchmark; results in bench/results/.")
    parser.add_argument("--quick", action="store_true", help="short runs, one round (a smoke)")
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="run only this one")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("make bench needs wrk: sudo apt-get install -y wrk", file=sys.stderr)
        return 2
    failed: list[str] = []
    for name in args.only or BENCHMARKS:
        print(f"\n== bench.{name}", flush=True)
        extra = QUICK[name] if args.quick else []
        levels = os.environ.get("IMET_BENCH_SCALE_LEVELS")
        if name == "scale" and levels and not args.quick:
            extra = ["--levels", levels]
        argv = [sys.executable, "-m", f"bench.{name}.run", *extra]
        if subprocess.run(argv, check=False).returncode != 0:  # noqa: S603 - our own argv
            failed.append(name)
    print("\n== summary (the table each results file leads with)\n", flush=True)
    print(summary([n for n in args.only or BENCHMARKS if n not in failed]), flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
