"""`make bench`: every benchmark, results (JSON + Markdown) in bench/results/.

Benchmarks are ratios measured in one run on the same machine (SPEC section 9), so they hold on
a noisy 2-core box. Today: the gateway's proxy path against the bare endpoint behind it
(ADR 0002). Needs `wrk` (Debian: `apt-get install wrk`).
"""

from __future__ import annotations

import runpy
import shutil
import sys
from pathlib import Path


def main() -> int:
    if shutil.which("wrk") is None:
        print("make bench needs wrk: sudo apt-get install -y wrk", file=sys.stderr)
        return 2
    script = Path(__file__).resolve().parent / "gateway_proxy" / "run.py"
    sys.argv = [str(script), *sys.argv[1:]]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
