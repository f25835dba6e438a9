"""Admission control: contention queues in order, for a bounded time, and never leaks a slot."""

from __future__ import annotations

import asyncio

import pytest

from shared.db.admission import ServiceBusy, TransactionGate


async def test_no_more_than_the_limit_are_admitted_and_the_rest_go_in_arrival_order() -> None:
    gate = TransactionGate(service="t", limit=2, wait_seconds=30)
    inside, most, order = 0, 0, []
    release = asyncio.Event()

    async def work(n: int) -> None:
        nonlocal inside, most
        async with gate.admit():
            inside += 1
            most = max(most, inside)
            order.append(n)
            if n < 2:
                await release.wait()
            inside -= 1

    tasks = [asyncio.ensure_future(work(n)) for n in range(6)]
    while len(order) < 2:
        await asyncio.sleep(0)
    admitted_while_full = list(order)
    release.set()
    await asyncio.gather(*tasks)

    assert admitted_while_full == [0, 1]
    assert most == 2
    assert order == [0, 1, 2, 3, 4, 5]
    assert gate.in_use == 0


async def test_a_caller_that_waited_the_bounded_time_is_told_to_retry_later() -> None:
    gate = TransactionGate(service="t", limit=1, wait_seconds=0.05)
    held = asyncio.Event()
    done = asyncio.Event()

    async def holder() -> None:
        async with gate.admit():
            held.set()
            await done.wait()

    task = asyncio.ensure_future(holder())
    await held.wait()

    with pytest.raises(ServiceBusy) as refused:
        async with gate.admit():
            pass
    done.set()
    await task

    assert refused.value.status == 503
    assert refused.value.headers() == {"Retry-After": "1"}
    assert "waited" in refused.value.detail
    async with gate.admit():  # the refused caller left no slot behind
        assert gate.in_use == 1


async def test_a_failing_unit_of_work_gives_its_slot_back() -> None:
    gate = TransactionGate(service="t", limit=1, wait_seconds=0.05)

    with pytest.raises(RuntimeError):
        async with gate.admit():
            raise RuntimeError("the use case failed")

    async with gate.admit():
        assert gate.in_use == 1
