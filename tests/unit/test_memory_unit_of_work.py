"""The fast tier's unit of work keeps what was committed and nothing else, like a transaction."""

from __future__ import annotations

from tests.helpers.memory import MemoryUnitOfWork


async def test_committed_events_and_audits_are_kept_and_uncommitted_ones_dropped() -> None:
    uow = MemoryUnitOfWork()

    async with uow:
        uow.publish("kept")
        uow.audit("thing.made", "thing", "t-1", after={"n": 1})
        await uow.commit()
        uow.publish("dropped")
    async with uow:
        uow.publish("never committed")

    assert uow.committed_events == ["kept"]
    assert [(a.action, a.entity_id, a.actor) for a in uow.committed_audits] == [
        ("thing.made", "t-1", "system:test")
    ]
    assert uow.commits == 1
