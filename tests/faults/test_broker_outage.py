"""With the broker cut off, committed changes wait in the outbox and all go out, in order, after.

No sleeps: "nothing went out during the outage" is read after the relay has failed to publish
twice since the last change committed (its failure counter), so at least one whole attempt
saw every row and sent none.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from shared.auth.principal import system_actor
from shared.messaging.relay import OutboxRelay
from tests.helpers.fixtures import running
from tests.helpers.kafka import headers_of, read_all
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.waiting import eventually
from tests.platform_probe.service import record_things, tables

pytestmark = pytest.mark.faults
ACTOR = system_actor("fault-test")


async def _unpublished(runtime: Any) -> int:
    async with runtime.sessions() as s:
        stmt = (
            select(func.count())
            .select_from(tables.outbox)
            .where(tables.outbox.c.published_at.is_(None))
        )
        return int((await s.execute(stmt)).scalar_one())


def _publish_failures() -> float:
    sample = REGISTRY.get_sample_value("imet_outbox_publish_failures_total", {"service": "probe"})
    return sample or 0.0


def _async(fn: Any) -> Any:
    async def probe() -> Any:
        return fn()

    return probe


async def test_changes_committed_during_a_broker_outage_are_all_published_in_order_after_it(
    make_runtime: Any, proxied_broker: TcpProxy
) -> None:
    runtime = await make_runtime("probe")
    await eventually(lambda: _unpublished(runtime), lambda n: True)  # database reachable
    platform = runtime.platform.model_copy(
        update={
            "kafka_bootstrap_servers": proxied_broker.address,
            "kafka_topic_prefix": "",
            "kafka_request_timeout_ms": 1500,
        }
    )
    relay = OutboxRelay(
        service="probe", schema="probe", dsn=runtime.dsn, platform=platform, poll_seconds=0.5
    )
    run = uuid.uuid4().hex[:8]
    keys = [f"outage-{run}-{i}" for i in range(20)]

    async with running(relay.run):
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0, timeout=20)
        proxied_broker.cut()
        for value in range(10):
            for key in keys:
                async with runtime.uow(ACTOR) as uow:
                    await record_things(uow, [(key, value)])
        failed = _publish_failures()
        await eventually(_async(_publish_failures), lambda n: n >= failed + 2, timeout=60)
        waiting_during_outage = await _unpublished(runtime)
        proxied_broker.restore()
        remaining = await eventually(lambda: _unpublished(runtime), lambda n: n == 0, timeout=60)
    records = [
        r
        for r in await read_all("imet.probe.events", servers=proxied_broker.address)
        if r.key.decode() in keys
    ]

    assert waiting_during_outage == 200
    assert remaining == 0
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen_ids: set[str] = set()
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        event_id = headers_of(record)["ce_id"]
        if event_id in seen_ids:
            continue  # a re-send after a lost ack: consumers drop it by id
        seen_ids.add(event_id)
        first_seen[record.key.decode()].append(json.loads(record.value)["value"])
    assert len(seen_ids) == 200
    assert all(first_seen[k] == list(range(10)) for k in keys)
