"""The transactional outbox and its relay, against real PostgreSQL and the real broker."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.auth.principal import system_actor
from shared.messaging.kafka import physical_topic
from shared.runner import build_relay
from tests.helpers.fixtures import running
from tests.helpers.kafka import headers_of, read_all, wait_for_records
from tests.helpers.waiting import eventually
from tests.platform_probe.service import ThingHappenedV1, record_things, tables

ACTOR = system_actor("probe-test")


async def _unpublished(runtime: Any) -> int:
    async with runtime.sessions() as s:
        stmt = (
            select(func.count())
            .select_from(tables.outbox)
            .where(tables.outbox.c.published_at.is_(None))
        )
        return int((await s.execute(stmt)).scalar_one())


async def _stage_then_fail(runtime: Any, key: str) -> None:
    async with runtime.uow(ACTOR) as uow:
        uow.publish(ThingHappenedV1(key=key, value=1))
        await uow.flush_staged()
        raise RuntimeError("the business transaction fails after staging its event")


async def test_rolled_back_change_publishes_nothing_and_committed_change_publishes_once(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    rolled_back, committed = f"rb-{uuid.uuid4()}", f"ok-{uuid.uuid4()}"
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)

    with pytest.raises(RuntimeError, match="fails after staging"):
        await _stage_then_fail(runtime, rolled_back)
    async with runtime.uow(ACTOR) as uow:
        await record_things(uow, [(committed, 2)])
    async with running(build_relay(runtime).run):
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0)
    records = await read_all(topic)

    keys = [r.key.decode() for r in records]
    assert keys.count(committed) == 1
    assert rolled_back not in keys


async def test_published_record_is_a_cloudevent_keyed_by_aggregate(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    key = f"ce-{uuid.uuid4()}"
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)

    async with runtime.uow(ACTOR) as uow:
        await record_things(uow, [(key, 7)])
    async with running(build_relay(runtime).run):
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0)
    record = next(r for r in await read_all(topic) if r.key == key.encode())

    headers = headers_of(record)
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "imet.probe.thing_happened.v1"
    assert headers["ce_source"] == "/imet/probe"
    assert headers["ce_subject"] == key
    assert headers["content-type"] == "application/json"
    assert uuid.UUID(headers["ce_id"])
    assert headers["traceparent"].startswith("00-")
    assert ThingHappenedV1.model_validate_json(record.value) == ThingHappenedV1(key=key, value=7)


async def test_only_one_relay_of_a_service_is_active(make_runtime: Any) -> None:
    runtime = await make_runtime("probe")
    first, second = build_relay(runtime), build_relay(runtime)

    async with running(first.run, second.run):
        leaders = await eventually(lambda: _leaders(first, second), lambda n: n == 1, timeout=5)

    assert leaders == 1


async def _leaders(*relays: Any) -> int:
    return sum(1 for r in relays if r.is_leader)


async def test_relay_wakes_on_notify_without_waiting_for_its_poll(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    relay = build_relay(runtime)
    relay.poll_seconds = 30.0  # only NOTIFY can wake it within the test's deadline
    key = f"notify-{uuid.uuid4()}"
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)

    async with running(relay.run):
        await eventually(lambda: _leaders(relay), lambda n: n == 1, timeout=5)
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0, timeout=10)
        before = len(await read_all(topic))
        async with runtime.uow(ACTOR) as uow:
            await record_things(uow, [(key, 1)])
        records = await wait_for_records(topic, before + 1, timeout=5)

    assert any(r.key == key.encode() for r in records)


async def test_a_relay_session_that_breaks_unexpectedly_is_started_again_not_abandoned(
    make_runtime: Any, topic_prefix: str
) -> None:
    """Seen in the PostgreSQL-restart fault: asyncpg's InternalClientError ("another operation
    is in progress") escaped the relay, which ended the relay role - and the process with it."""
    import asyncpg

    runtime = await make_runtime("probe")
    relay = build_relay(runtime)
    real_session = relay._session
    broken: list[str] = []

    async def breaks_once(*args: Any) -> None:
        if not broken:
            broken.append("asyncpg")
            raise asyncpg.InternalClientError("cannot switch to state 12; another operation")
        if len(broken) == 1:
            broken.append("bug")
            raise RuntimeError("an unexpected failure inside a session")
        await real_session(*args)

    relay._session = breaks_once  # type: ignore[method-assign]
    key = f"again-{uuid.uuid4()}"
    async with runtime.uow(ACTOR) as uow:
        await record_things(uow, [(key, 1)])

    async with running(relay.run):
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0, timeout=30)

    assert broken == ["asyncpg", "bug"]
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    assert any(r.key == key.encode() for r in await read_all(topic))
