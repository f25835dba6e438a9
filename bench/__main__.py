"""`make bench`: every benchmark, results (JSON + Markdown) in bench/results/.

Benchmarks are ratios measured in one run on the same machine (SPEC section 9), so they hold on
a noisy 2-core box. Today: the gateway's proxy path against the bare endpoint behind it
(ADR 0002); list and report latency against history size (bench/scale, ADR 0125). Needs
`wrk` (Debian: `apt-get install wrk`).
"""

from __future__ import annotations

import os
import runpy
import shutil
import sys
from pathlib import Path


def main() -> int:
    if shutil.which("wrk") is None:
        print("make bench needs wrk: sudo apt-get install -y wrk", file=sys.stderr)
        return 2
    code = _run("gateway_proxy", sys.argv[1:])
    # List and report latency at 10^4/10^5/10^6 nominations of history (issue 16 item 3,
    # ADR 0125); IMET_BENCH_SCALE_LEVELS=10000,100000 for a shorter run.
    levels = os.environ.get("IMET_BENCH_SCALE_LEVELS")
    return code or _run("scale", ["--levels", levels] if levels else [])


def _run(name: str, argv: list[str]) -> int:
    script = Path(__file__).resolve().parent / name / "run.py"
    sys.argv = [str(script), *argv]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
