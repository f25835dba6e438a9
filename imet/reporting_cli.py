"""`imet reporting rebuild`: the reporting service's runtime around its replay."""

from __future__ import annotations

import os
from typing import Any

from imet.services import definition
from imet.stack_state import var_dir
from shared.runtime import ServiceRuntime


def dev_stack_env() -> None:
    """Without REPORTING_DATABASE_URL, take the settings `make run` recorded (dev only)."""
    recorded = var_dir() / "run" / "reporting.env"
    if "REPORTING_DATABASE_URL" in os.environ or not recorded.exists():
        return
    for line in recorded.read_text().splitlines():
        name, _, value = line.partition("=")
        if name:
            os.environ.setdefault(name, value)


async def run_rebuild(progress: Any, timeout_seconds: float) -> Any:
    from reporting.adapters.replay import rebuild

    dev_stack_env()
    d = definition("reporting")
    runtime = ServiceRuntime(d, d.settings_factory())
    try:
        return await rebuild(runtime, progress=progress, timeout_seconds=timeout_seconds)
    finally:
        await runtime.aclose()
