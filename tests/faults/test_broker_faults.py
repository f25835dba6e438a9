"""The broker cut off for 10 s, and a slow broker, while 1,000+ nominations stream through."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.scenario import Scenario
from tests.helpers.timing import scaled

# The broker cut is the suite's canary in `make test` (not slow); the others run in CI.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(scaled(900))]

CUT_SECONDS = 10.0  # the fault's length (the issue's), not a wait for something to happen
SLOW_SECONDS = 20.0
LATENCY = 0.05  # added to every chunk in each direction


async def _cut_for_ten_seconds(s: Scenario) -> tuple[float, float]:
    assert s.sampler is not None
    start = time.monotonic()
    s.fs.proxy.cut()
    await asyncio.sleep(CUT_SECONDS)
    s.fs.proxy.restore()
    end = time.monotonic()
    s.notes["backlog_at_restore"] = s.sampler.samples[-1].unpublished
    return start, end


async def test_broker_cut_for_ten_seconds_mid_stream_loses_and_doubles_nothing(
    scenario: Scenario,
) -> None:
    scenario.name = "broker cut 10 s"

    result = await scenario.run(_cut_for_ten_seconds)

    assert result.violations == []
    assert scenario.notes["backlog_at_restore"] > 0, "the cut did not hold any event back"
    assert result.resumed_s is not None


async def _slow_broker(s: Scenario) -> tuple[float, float]:
    start = time.monotonic()
    s.fs.proxy.delay_seconds = LATENCY
    await asyncio.sleep(SLOW_SECONDS)
    s.fs.proxy.delay_seconds = 0.0
    return start, time.monotonic()


@pytest.mark.slow
async def test_slow_broker_mid_stream_slows_the_pipeline_but_breaks_no_invariant(
    scenario: Scenario,
) -> None:
    scenario.name = "slow broker (+50 ms per chunk)"

    result = await scenario.run(_slow_broker)

    assert result.violations == []
