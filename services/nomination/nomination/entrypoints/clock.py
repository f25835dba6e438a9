"""The runtime's clock, for the entrypoints: the bootstrap's (`definition.extra["clock"]`), the
same one its units of work give the use cases. Nothing else in the service reads the time."""

from __future__ import annotations

from datetime import date
from typing import Any

from nomination.service_layer.unit_of_work import Clock
from shared.runtime import ServiceRuntime


def clock_of(runtime: ServiceRuntime[Any, Any]) -> Clock:
    clock: Clock = runtime.definition.extra["clock"]
    return clock


def today_of(runtime: ServiceRuntime[Any, Any]) -> date:
    """Today (UTC) by the runtime's clock."""
    return clock_of(runtime)().date()
