"""`imet reporting rebuild`: the reporting service's runtime around its replay."""

from __future__ import annotations

from typing import Any

from imet.services import definition
from shared.runtime import ServiceRuntime


async def run_rebuild(progress: Any, timeout_seconds: float) -> Any:
    from reporting.adapters.replay import rebuild

    d = definition("reporting")
    runtime = ServiceRuntime(d, d.settings_factory())
    try:
        return await rebuild(runtime, progress=progress, timeout_seconds=timeout_seconds)
    finally:
        await runtime.aclose()
