"""A consumer SIGKILLed at any point (even between effect and offset) applies each event once."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from imet.infra.process import spawn, stop_process
from shared.messaging.kafka import physical_topic
from tests.helpers.kafka import produce
from tests.helpers.waiting import eventually
from tests.integration.platform.test_consumer import _record
from tests.platform_probe.service import probe_effect

pytestmark = pytest.mark.faults


def _start_consumer(log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PROBE_REACTION_DELAY": "0.02", "LOG_LEVEL": "WARNING"}
    return spawn(
        [sys.executable, "-m", "imet", "serve", "probe", "--roles", "consumer"],
        log_path=log,
        env=env,
    )


async def _applied(runtime: Any, prefix: str) -> tuple[int, int]:
    async with runtime.sessions() as s:
        stmt = select(func.count(), func.count(func.distinct(probe_effect.c.event_id))).where(
            probe_effect.c.key.like(f"{prefix}-%")
        )
        total, distinct = (await s.execute(stmt)).one()
        return int(total), int(distinct)


async def test_consumer_killed_mid_transaction_again_and_again_applies_every_event_exactly_once(
    make_runtime: Any, topic_prefix: str, tmp_path: Path
) -> None:
    runtime = await make_runtime("probe")
    prefix = f"kill-{uuid.uuid4().hex[:8]}"
    topic = physical_topic("imet.probe.events", topic_prefix)
    await produce(topic, [_record(f"{prefix}-{i % 10}", i) for i in range(200)])
    rng = random.Random(7)
    kills = 0

    proc = _start_consumer(tmp_path / "consumer.log")
    try:
        while kills < 5:
            await asyncio.sleep(rng.uniform(0.8, 1.6))
            total, _ = await _applied(runtime, prefix)
            if total >= 200:
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait(5)
            kills += 1
            proc = _start_consumer(tmp_path / "consumer.log")
        total, distinct = await eventually(
            lambda: _applied(runtime, prefix), lambda r: r[0] >= 200, timeout=60
        )
        await asyncio.sleep(1.0)
        total, distinct = await _applied(runtime, prefix)
    finally:
        stop_process(proc)

    assert kills >= 3, "the consumer finished before it could be killed enough times"
    assert (total, distinct) == (200, 200)
