"""A consumer instance joins and another leaves while events flow: no whole-log replay.

Every service gets a second consumer instance mid-stream (the partitions are dealt over both:
a rebalance), then the first instance stops gracefully (the survivor takes all: a second
rebalance). Records read again below the stored offset are what a rebalance costs; the
consumer logs them (`consumer.reread`). They must stay within the uncommitted window - what
an instance may hold fetched but not yet committed, one fetch batch per rebalance - never the
whole log.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from imet.services import DOMAIN_SERVICES
from tests.faults.scenario import Scenario

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.timeout(900)]

BATCH = 200  # consumer_batch_size: the most records one instance holds uncommitted
REBALANCES = 2  # one join, one leave, per service


async def _join_then_leave(s: Scenario) -> tuple[float, float]:
    start = time.monotonic()
    first = {svc: s.fs.instances(svc, "consumer")[0] for svc in DOMAIN_SERVICES}
    for service in DOMAIN_SERVICES:
        await asyncio.to_thread(s.fs.stack.start_instance, service, "consumer", wait=False)

    async def both_own_partitions() -> bool:
        return all([len(await s.fs.partition_owners(svc)) == 2 for svc in DOMAIN_SERVICES])

    await s.until(both_own_partitions, what="two instances of every consumer owning partitions")
    s.notes["joined_s"] = round(time.monotonic() - start, 2)
    left = time.monotonic()
    for name in first.values():
        await asyncio.to_thread(s.fs.stack.stop_instance, name)

    async def survivor_owns_all() -> bool:
        owners = [await s.fs.partition_owners(svc) for svc in DOMAIN_SERVICES]
        return all(len(o) == 1 and sum(o.values()) == s.fs.partitions(svc)
                   for o, svc in zip(owners, DOMAIN_SERVICES, strict=True))  # fmt: skip

    await s.until(survivor_owns_all, what="the remaining instance owning every partition")
    s.notes["left_s"] = round(time.monotonic() - left, 2)
    return start, time.monotonic()


async def test_an_instance_joining_and_one_leaving_mid_stream_rereads_only_the_uncommitted_window(
    scenario: Scenario,
) -> None:
    scenario.name = "consumer instance joins, another leaves"

    result = await scenario.run(_join_then_leave)
    assert scenario.logs is not None
    per_consumer = {
        svc: sum(int(line["records"]) for line in scenario.logs.events("consumer.reread")
                 if line.get("consumer") == svc)
        for svc in DOMAIN_SERVICES
    }  # fmt: skip
    scenario.notes["reread_per_consumer"] = per_consumer
    scenario.report.record(result)

    assert result.violations == []
    assert max(per_consumer.values()) <= REBALANCES * BATCH, per_consumer
