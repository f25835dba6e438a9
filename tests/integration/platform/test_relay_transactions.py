"""The relay never holds a database transaction open while it waits for the broker."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from shared.auth.principal import system_actor
from shared.messaging.relay import OutboxRelay
from tests.helpers.fixtures import running
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.waiting import eventually
from tests.integration.platform.test_outbox_relay import _unpublished
from tests.platform_probe.service import record_things

ACTOR = system_actor("relay-tx-test")
_OPEN = text(
    "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'imet-probe-relay%'"
    " AND state IN ('idle in transaction', 'idle in transaction (aborted)')"
)


async def test_no_relay_transaction_stays_open_while_a_slow_broker_acknowledges(
    make_runtime: Any, proxied_broker: TcpProxy
) -> None:
    runtime = await make_runtime("probe")
    await eventually(lambda: _unpublished(runtime), lambda n: True)
    platform = runtime.platform.model_copy(
        update={"kafka_bootstrap_servers": proxied_broker.address, "kafka_topic_prefix": ""}
    )
    relay = OutboxRelay(service="probe", schema="probe", dsn=runtime.dsn, platform=platform)
    async with running(relay.run):
        await eventually(lambda: _unpublished(runtime), lambda n: n == 0, timeout=30)
        proxied_broker.delay_seconds = 0.5
        async with runtime.uow(ACTOR) as uow:
            await record_things(uow, [(f"slow-{uuid.uuid4()}", v) for v in range(20)])
        seen: list[int] = []

        async def observe() -> int:
            async with runtime.sessions() as s:
                seen.append(int((await s.execute(_OPEN)).scalar_one()))
            return await _unpublished(runtime)

        remaining = await eventually(observe, lambda n: n == 0, timeout=30, interval=0.05)

    assert remaining == 0
    assert len(seen) > 5  # observed all along the slow round trips
    assert max(seen) == 0, "a relay transaction stayed open across the broker round trip"
