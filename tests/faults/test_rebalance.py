"""A consumer instance joins and another leaves while events flow: no whole-log replay.

Every service gets a second consumer instance mid-stream (the partitions are dealt over both:
a rebalance), then the first instance stops gracefully (the survivor takes all: a second
rebalance). Records read again below the stored offset are what a rebalance costs; the
consumer logs them (`consumer.reread`). They must stay within the uncommitted window - what
an instance may hold fetched but not yet committed, one fetch batch per rebalance - never the
whole log. Poison is produced to every topic first and dead-lettered before the instances
change: a rebalance that replays would send it to the DLQ a second time.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from imet.services import DOMAIN_SERVICES
from tests.faults.invariants import read_since
from tests.faults.measure import LogTail
from tests.faults.poison import poison_records, send
from tests.faults.scenario import Scenario
from tests.helpers.timing import scaled

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.timeout(scaled(900))]

BATCH = 200  # consumer_batch_size: the most records one instance holds uncommitted
REBALANCES = 2  # one join, one leave, per service


class _JoinThenLeave:
    def __init__(self) -> None:
        self.tail: LogTail | None = None

    async def fault(self, s: Scenario) -> tuple[float, float]:
        await _dead_letter_poison(s)
        self.tail = LogTail(s.fs.stack.log_dir)  # re-reads from the first rebalance on
        return await _join_then_leave(s)


async def _dead_letter_poison(s: Scenario) -> None:
    poison, raw = poison_records(s.fs.consumes, malformed=False)
    s.poison += poison
    await send(s.fs.proxy.address, raw)
    expected = sum(len(p.rejected_by(s.fs.consumes)) for p in poison)
    assert s.mark is not None
    dlq = {tp: n for tp, n in s.mark.offsets.items() if tp.topic.endswith(".dlq")}

    async def poison_dead_lettered() -> bool:
        return len(await read_since(s.fs.proxy.address, dlq)) >= expected

    await s.until(poison_dead_lettered, what="the poison in the DLQs")


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
    rebalance = _JoinThenLeave()

    result = await scenario.run(rebalance.fault)
    assert rebalance.tail is not None
    reread = rebalance.tail.events("consumer.reread")
    per_consumer = {
        svc: sum(int(line["records"]) for line in reread if line.get("consumer") == svc)
        for svc in DOMAIN_SERVICES
    }
    scenario.notes["reread_per_consumer"] = per_consumer
    scenario.report.record(result)

    assert result.violations == []
    assert max(per_consumer.values()) <= REBALANCES * BATCH, per_consumer
