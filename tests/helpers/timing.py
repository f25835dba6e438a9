"""One knob for every wait of the suite: `IMET_TEST_TIME_SCALE` (default 1).

Deadlines in the tests are written for a machine about 5x slower than a quiet 2-core box; a
slower or busier machine multiplies them all by the scale (e.g. `IMET_TEST_TIME_SCALE=3`).
Nothing asserts speed: a deadline only bounds how long a test waits for a fact before it fails
and says what it waited for and what it saw.

The product's own waits that a deliberately extreme test burst can exhaust (the admission
queue, lock and statement timeouts) are scaled the same way for the processes the suite starts
(`product_timeouts_env`), so a slow machine makes the suite slower, never red.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from imet.infra.process import spawn, stop_process

ENV = "IMET_TEST_TIME_SCALE"

# Sized for the suite's bursts (200 concurrent funding requests serialised on one allocation,
# 100 racers for one class) on a machine 5x slower than a quiet one: each burst then takes
# tens of seconds, all of it legitimately queued.
QUEUE_TIMEOUT_SECONDS = 240.0
LOCK_TIMEOUT_SECONDS = 60.0
COMMAND_TIMEOUT_SECONDS = 90.0


def time_scale() -> float:
    raw = os.environ.get(ENV, "1")
    try:
        scale = float(raw)
    except ValueError:
        raise ValueError(f"{ENV} must be a number, not {raw!r}") from None
    if scale <= 0:
        raise ValueError(f"{ENV} must be positive, not {raw!r}")
    return scale


def scaled(seconds: float) -> float:
    """A deadline for this machine: `seconds` times the scale."""
    return seconds * time_scale()


def product_timeouts_env(services: tuple[str, ...]) -> dict[str, str]:
    """Settings for the services the suite runs: their bounded waits, scaled."""
    env: dict[str, str] = {}
    for name in services:
        prefix = name.upper()
        env[f"{prefix}_DB_QUEUE_TIMEOUT_SECONDS"] = f"{scaled(QUEUE_TIMEOUT_SECONDS):g}"
        env[f"{prefix}_DB_LOCK_TIMEOUT_SECONDS"] = f"{scaled(LOCK_TIMEOUT_SECONDS):g}"
        env[f"{prefix}_DB_COMMAND_TIMEOUT_SECONDS"] = f"{scaled(COMMAND_TIMEOUT_SECONDS):g}"
    return env


HOG_ENV = "IMET_TEST_CPU_HOG"
HOG_MAX_SECONDS = 4 * 3600  # a hog outlives no run, even one the harness failed to stop


def start_cpu_hogs() -> list[subprocess.Popen[bytes]]:
    """`IMET_TEST_CPU_HOG=N`: N processes that each keep one core busy for the whole run.

    They make this machine a slower one on purpose (proof that nothing depends on speed). Each
    dies with the test run (parent-death signal), stops itself after HOG_MAX_SECONDS, and is
    stopped by PID when the run ends (`stop_cpu_hogs`).
    """
    count = int(os.environ.get(HOG_ENV, "0") or 0)
    hog = (
        f"import time\nend = time.monotonic() + {HOG_MAX_SECONDS}\n"
        "while time.monotonic() < end: pass"
    )
    return [
        spawn([sys.executable, "-c", hog], log_path=Path(os.devnull), death_signal=signal.SIGKILL)
        for _ in range(count)
    ]


def stop_cpu_hogs(hogs: list[subprocess.Popen[bytes]]) -> None:
    for proc in hogs:
        stop_process(proc, sig=signal.SIGKILL, timeout=5)
