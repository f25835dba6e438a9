"""A consumer SIGKILLed at any point (even between effect and offset) applies each event once.

No sleeps: each kill waits for the fact that the restarted consumer made progress (a random
number of further effects), and "nothing more happens" is the stored offsets at the end of
every partition - every record, redelivered ones included, has been processed.
"""

from __future__ import annotations

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
from tests.helpers.kafka import end_offsets, produce
from tests.helpers.waiting import eventually
from tests.integration.platform.test_consumer import _record
from tests.platform_probe.service import probe_effect, tables

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


async def _behind(runtime: Any, topic: str) -> int:
    """Records of `topic` the probe consumer has not processed yet (stored offset vs end)."""
    ends = {tp.partition: n for tp, n in (await end_offsets([topic])).items()}
    async with runtime.sessions() as s:
        rows = (
            await s.execute(
                select(tables.consumer_offset.c.partition, tables.consumer_offset.c.next_offset)
                .where(tables.consumer_offset.c.consumer == "probe")
                .where(tables.consumer_offset.c.topic == topic)
            )
        ).all()
    stored = {int(r.partition): int(r.next_offset) for r in rows}
    return sum(end - stored.get(p, 0) for p, end in ends.items())


EVENTS = 2000


async def test_consumer_killed_mid_transaction_again_and_again_applies_every_event_exactly_once(
    make_runtime: Any, topic_prefix: str, tmp_path: Path
) -> None:
    runtime = await make_runtime("probe")
    prefix = f"kill-{uuid.uuid4().hex[:8]}"
    topic = physical_topic("imet.probe.events", topic_prefix)
    # A consumer applies a fetched run of up to 200 records in one transaction (ADR 0150):
    # enough records for several transactions, so there is a transaction to kill each time.
    await produce(topic, [_record(f"{prefix}-{i % 10}", i) for i in range(EVENTS)])
    rng = random.Random(7)
    kills = 0

    proc = _start_consumer(tmp_path / "consumer.log")
    try:
        while kills < 5:
            # Kill after a random amount of progress since the last start: anywhere in a batch.
            target = min((await _applied(runtime, prefix))[0] + rng.randint(5, 25), EVENTS)
            total, _ = await eventually(
                lambda: _applied(runtime, prefix),
                lambda r, target=target: r[0] >= target,  # type: ignore[misc]
                timeout=60,
            )
            if total >= EVENTS:
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait(5)
            kills += 1
            proc = _start_consumer(tmp_path / "consumer.log")
        await eventually(lambda: _behind(runtime, topic), lambda n: n == 0, timeout=60)
        total, distinct = await _applied(runtime, prefix)
    finally:
        stop_process(proc)

    assert kills >= 3, "the consumer finished before it could be killed enough times"
    assert (total, distinct) == (EVENTS, EVENTS)
