"""PostgreSQL restarted mid-stream: every process reconnects by itself, nothing is lost.

The fault stack runs on its own embedded PostgreSQL, so the restart disturbs no other test.
Nothing is done to any process after the restart: no restart, no signal, no manual step.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from imet.services import DOMAIN_SERVICES
from tests.faults.scenario import Scenario
from tests.helpers.timing import scaled

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.timeout(scaled(900))]

DOWN_SECONDS = 5.0  # how long the database stays down (the fault), not a wait


async def _restart_postgres(s: Scenario) -> tuple[float, float]:
    pids = {name: p.pid for name, p in s.fs.stack.processes.items()}
    start = time.monotonic()
    await asyncio.to_thread(s.fs.restart_postgres, down_seconds=DOWN_SECONDS)
    end = time.monotonic()
    before = {service: await s.fs.applied(service) for service in DOMAIN_SERVICES}

    async def every_consumer_applies_again() -> bool:
        return all([await s.fs.applied(x) > n for x, n in before.items()])

    await s.until(every_consumer_applies_again, what="every consumer applying events again")
    s.notes["consumers_applying_again_s"] = round(time.monotonic() - end, 2)
    leaders = await s.fs.wait_relay_leaders()
    s.notes["relay_leaders_again_s"] = round(time.monotonic() - end, 2)
    s.notes["same_processes"] = pids == {n: p.pid for n, p in s.fs.stack.processes.items()}
    s.notes["leaders"] = sorted(leaders.values())
    return start, end


async def test_postgres_restart_mid_stream_every_process_reconnects_by_itself(
    scenario: Scenario,
) -> None:
    scenario.name = "PostgreSQL restart"

    result = await scenario.run(_restart_postgres)

    assert result.violations == []
    assert scenario.notes["same_processes"] is True
    assert scenario.fs.stack.dead_processes() == []
