"""Per-key order on the topic: the relay publishes in outbox order, whatever fails or commits late.

"In order" means: for each key, the FIRST occurrence of every event on the topic comes in the
outbox's `seq` order. Re-sends after a lost ack may repeat events later; consumers drop those.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiokafka.errors import KafkaTimeoutError
from prometheus_client import REGISTRY
from sqlalchemy import select

from shared.auth.principal import system_actor
from shared.messaging.kafka import physical_topic
from shared.messaging.relay import OutboxRelay
from shared.runner import build_relay
from tests.helpers.fixtures import running
from tests.helpers.kafka import headers_of, read_all
from tests.helpers.waiting import eventually
from tests.integration.platform.test_outbox_relay import _unpublished
from tests.platform_probe.service import ThingHappenedV1, record_things, tables

ACTOR = system_actor("order-test")


def _first_seen(records: list[Any], key: str) -> list[int]:
    seen: set[str] = set()
    values = []
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        if record.key != key.encode() or headers_of(record)["ce_id"] in seen:
            continue
        seen.add(headers_of(record)["ce_id"])
        values.append(json.loads(record.value)["value"])
    return values


async def _published(runtime: Any, key: str) -> list[Any]:
    async with runtime.sessions() as s:
        o = tables.outbox
        stmt = select(o.c.seq, o.c.published_at).where(o.c.aggregateid == key).order_by(o.c.seq)
        return list(await s.execute(stmt))


def _gap_waits() -> float:
    return REGISTRY.get_sample_value("imet_outbox_gap_waits_total", {"service": "probe"}) or 0.0


async def test_an_event_committed_after_a_later_one_is_still_published_first(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"late-{uuid.uuid4()}"
    waits_before = _gap_waits()

    async with running(build_relay(runtime).run), runtime.uow(ACTOR) as slow:
        slow.publish(ThingHappenedV1(key=key, value=1))
        await slow.flush_staged()  # seq allocated now; the transaction commits later
        async with runtime.uow(ACTOR) as fast:
            await record_things(fast, [(key, 2)])
        # Either the relay published the later row already, or it waits for the earlier one.
        await eventually(
            lambda: _published(runtime, key),
            lambda rows: any(r.published_at for r in rows) or _gap_waits() > waits_before,
        )
        await slow.commit()
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0)
    records = await read_all(topic)

    assert _first_seen(records, key) == [1, 2]


class _LosesFirstRequest:
    """The relay's real producer, except that the first request it sends fails as a request
    lost on the way would (`KafkaTimeoutError`, nothing written): a fault injected at the
    client's edge, deterministic where a proxy's timing is not. Everything else reaches the
    real broker."""

    def __init__(self, real: Any, lost: list[bool]) -> None:
        self.real = real
        self.lost = lost  # shared by every producer of the relay: one request lost in all

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def _lose_once(self) -> asyncio.Future[Any] | None:
        if self.lost:
            return None
        self.lost.append(True)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_exception(KafkaTimeoutError())
        return future

    async def send(self, *args: Any, **kwargs: Any) -> Any:
        return self._lose_once() or await self.real.send(*args, **kwargs)

    async def send_batch(self, *args: Any, **kwargs: Any) -> Any:
        return self._lose_once() or await self.real.send_batch(*args, **kwargs)


class _RelayWithALostRequest(OutboxRelay):
    lost: list[bool] = []

    async def _get_producer(self) -> Any:
        producer = await super()._get_producer()
        if not isinstance(producer, _LosesFirstRequest):
            producer = _LosesFirstRequest(producer, self.lost)
            self._producer = producer  # type: ignore[assignment]
        return producer


async def test_a_lost_request_never_lets_a_later_event_of_the_key_overtake_an_earlier_one(
    make_runtime: Any, topic_prefix: str
) -> None:
    runtime = await make_runtime("probe")
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"lost-{uuid.uuid4()}"
    await eventually(lambda: _unpublished(runtime), lambda n: True)
    async with runtime.uow(ACTOR) as uow:
        await record_things(uow, [(key, v) for v in range(300)])
    relay = _RelayWithALostRequest(
        service="probe", schema="probe", dsn=runtime.dsn, platform=runtime.platform,
        poll_seconds=0.2,
    )  # fmt: skip
    relay.lost = []

    async with running(relay.run):
        remaining = await eventually(lambda: _unpublished(runtime), lambda n: n == 0, timeout=30)
    records = await read_all(topic)

    assert remaining == 0
    assert _first_seen(records, key) == list(range(300))
