"""DLQ replay through the real funding consumer on the real broker (ADR 0106).

A funding request is refused by the database (a trigger stands in for a bad deploy), is retried
and dead-lettered; replayed before the fix, it is dead-lettered again (naming the replay); the
cause is removed; the dead letter is replayed TWICE with the DLQ tool.
The request is applied exactly once: one funding request row, one obligation, and the inbox row
taken over from `dead_lettered` to `applied`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text

from funding.adapters.tables import funding_request, obligation
from services.funding.tests.integration.support import (
    as_records,
    country,
    course,
    funded,
    known,
    send,
)
from shared.contracts.nomination.v1 import TOPIC as NOMINATION_TOPIC
from shared.contracts.nomination.v1 import FundingRequestedV1
from shared.messaging.dlq import DeadLetter, DeadLetterFilter, DeadLetterStore, Replayed
from shared.messaging.kafka import physical_topic
from shared.runner import build_consumer
from tests.helpers.fixtures import running
from tests.helpers.waiting import eventually


async def _refuse_requests_of(runtime: Any, nomination_id: uuid.UUID, name: str) -> None:
    """A trigger that makes inserting this nomination's funding request fail (SQLSTATE P0001)."""
    async with runtime.engine.begin() as conn:
        await conn.execute(text(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.nomination_id = '{nomination_id}' THEN RAISE EXCEPTION 'refused'; END IF; "
            "RETURN NEW; END $$"
        ))  # fmt: skip
        await conn.execute(text(
            f"CREATE TRIGGER {name} BEFORE INSERT ON funding_request "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()"
        ))  # fmt: skip


async def _fix(runtime: Any, name: str) -> None:
    async with runtime.engine.begin() as conn:
        await conn.execute(text(f"DROP TRIGGER {name} ON funding_request"))
        await conn.execute(text(f"DROP FUNCTION {name}()"))


async def _rows(runtime: Any, table: Any, nomination_id: uuid.UUID) -> list[Any]:
    async with runtime.sessions() as s:
        return list((await s.execute(select(table).where(
            table.c.nomination_id == nomination_id))).all())  # fmt: skip


async def _inbox(runtime: Any, event_id: str) -> list[Any]:
    inbox = runtime.definition.tables.inbox
    async with runtime.sessions() as s:
        stmt = select(inbox.c.outcome).where(
            inbox.c.consumer == "funding", inbox.c.message_id == event_id
        )
        return list((await s.execute(stmt)).scalars().all())


async def _next_offset(runtime: Any, replayed: Replayed) -> int:
    offsets = runtime.definition.tables.consumer_offset
    async with runtime.sessions() as s:
        stmt = select(offsets.c.next_offset).where(
            offsets.c.consumer == "funding", offsets.c.topic == replayed.topic,
            offsets.c.partition == replayed.partition,
        )  # fmt: skip
        return int((await s.execute(stmt)).scalar_one_or_none() or 0)


async def test_a_dead_letter_replayed_twice_after_the_fix_is_applied_exactly_once(
    make_runtime: Any, topic_prefix: str, fiscal_year: int
) -> None:
    runtime = await make_runtime("funding")
    c, code, nomination_id = course(fiscal_year), country(), uuid.uuid4()
    await known(runtime, c)
    await funded(runtime, fiscal_year, {code: Decimal("100000.00")})
    trigger = f"dlq_refuse_{uuid.uuid4().hex[:12]}"
    await _refuse_requests_of(runtime, nomination_id, trigger)
    store = DeadLetterStore(runtime.platform)
    where = DeadLetterFilter(topic=NOMINATION_TOPIC)

    async def dead() -> list[DeadLetter]:
        return [d for d in await store.find(where) if d.key == str(nomination_id).encode()]

    async with running(build_consumer(runtime).run):
        request = FundingRequestedV1(
            nomination_id=nomination_id, country=code, request_id=uuid.uuid4(),
            class_id=c.class_id, masl_id=c.masl_id, fiscal_year=fiscal_year,
            funding_source="imet",
        )  # fmt: skip
        await send(topic_prefix, *as_records(request))
        letters = await eventually(dead, lambda d: len(d) == 1, timeout=30)
        event_id = letters[0].header("ce_id") or ""
        refused_rows = await _rows(runtime, funding_request, nomination_id)
        inbox_before = await _inbox(runtime, event_id)
        await store.replay(letters, actor="test:dlq")  # too early: the cause is still there
        again = await eventually(dead, lambda d: len(d) == 2, timeout=30)
        inbox_after_early = await _inbox(runtime, event_id)
        await _fix(runtime, trigger)

        first = await store.replay(letters, actor="test:dlq")
        second = await store.replay(letters, actor="test:dlq")
        last = max((first[0], second[0]), key=lambda r: (r.partition, r.offset or 0))
        await eventually(
            lambda: _next_offset(runtime, last), lambda n: n > (last.offset or 0), timeout=30
        )
        requests = await eventually(
            lambda: _rows(runtime, funding_request, nomination_id),
            lambda r: len(r) == 1 and r[0].status == "obligated",
        )

    summary = letters[0].summary()
    assert summary["original_topic"] == physical_topic(NOMINATION_TOPIC, topic_prefix)
    assert summary["error"]["code"] == "sqlstate.P0001"
    assert summary["consumer"] == "funding"
    assert refused_rows == []
    assert inbox_before == ["dead_lettered"]
    assert first[0].topic == second[0].topic == physical_topic(NOMINATION_TOPIC, topic_prefix)
    assert first[0].partition == second[0].partition == letters[0].original_partition()
    assert second[0].offset is not None
    assert first[0].offset is not None
    assert second[0].offset > first[0].offset
    assert len(requests) == 1
    assert len(await _rows(runtime, obligation, nomination_id)) == 1
    assert await _inbox(runtime, event_id) == ["applied"]
    assert again[1].summary()["replayed_from"] == str(letters[0].id)
    assert inbox_after_early == ["dead_lettered"]  # the failed replay rolled back
    assert len(await dead()) == 2  # the replays after the fix did not fail
