"""Leadership and leases move on when their holder vanishes or cannot do the work.

A pod that disappears without closing its sockets (node lost, network partition) looks to
PostgreSQL like a silent client; a TCP proxy that stops forwarding (`freeze`) shows the same.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from imet.infra.process import free_port
from shared.auth.principal import system_actor
from shared.messaging.connections import LockConnection, LockTimings
from shared.messaging.relay import OutboxRelay
from shared.runner import build_consumer, build_relay
from tests.helpers.fixtures import running
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.timing import scaled
from tests.helpers.waiting import eventually
from tests.integration.platform.test_consumer import _owned
from tests.integration.platform.test_outbox_relay import _leaders, _unpublished
from tests.platform_probe.service import record_things

ACTOR = system_actor("lock-test")


@pytest.fixture
def database_proxy(make_runtime: Any) -> Iterator[TcpProxy]:
    import os

    url = make_url(os.environ["PROBE_DATABASE_URL"])
    proxy = TcpProxy(url.host or "127.0.0.1", int(url.port or 5432)).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def _through(dsn: str, proxy: TcpProxy) -> str:
    return make_url(dsn).set(port=proxy.port).render_as_string(hide_password=False)


def _quick_to_notice(role: Any) -> Any:
    """A heartbeat every 0.5 s and a 3 s session timeout, scaled like every deadline of the
    suite. They are the product's own deadlines, not the test's: the server ends a session that
    sent nothing for the session timeout, and a connect or a query that takes longer marks the
    connection lost. Unscaled, a loaded machine (one whose runs raise IMET_TEST_TIME_SCALE) cuts
    the healthy relay's connection as well as the silent one's, and the lead flaps instead of
    moving once."""
    role.heartbeat_seconds = scaled(0.5)
    role.session_timeout_seconds = scaled(3.0)
    return role


async def test_a_relay_whose_database_connection_went_silent_loses_the_lead_within_seconds(
    make_runtime: Any, database_proxy: TcpProxy
) -> None:
    runtime = await make_runtime("probe")
    silent = _quick_to_notice(build_relay(runtime))
    silent.dsn = _through(runtime.dsn, database_proxy)
    standby = _quick_to_notice(build_relay(runtime))

    key = f"silent-{uuid.uuid4()}"

    async with running(silent.run):
        # The silent relay goes silent only once it leads *and* works: it published a row, so
        # it is past LISTEN and in its publishing loop. Freezing the proxy at the moment it
        # became leader raced its LISTEN (sent without a timeout, holding the connection): a
        # relay frozen there never noticed the silence, and the standby waited for nothing.
        async with runtime.uow(ACTOR) as uow:
            await record_things(uow, [(key, 1)])
        remaining = await eventually(lambda: _unpublished(runtime), lambda n: n == 0, timeout=30)
        led = await _leaders(silent)
        async with running(standby.run):
            database_proxy.freeze()
            try:
                leaders = await eventually(lambda: _leaders(standby), lambda n: n == 1, timeout=30)
            finally:
                database_proxy.restore()

    assert (remaining, led) == (0, 1)
    assert leaders == 1


async def test_a_consumer_whose_database_connection_went_silent_gives_up_its_partitions(
    make_runtime: Any, database_proxy: TcpProxy
) -> None:
    runtime = await make_runtime("probe")
    silent = _quick_to_notice(build_consumer(runtime))
    silent.dsn = _through(runtime.dsn, database_proxy)
    survivor = _quick_to_notice(build_consumer(runtime))

    async with running(silent.run, survivor.run):
        await eventually(lambda: _owned(silent, survivor), lambda o: o == (2, 2), timeout=30)
        database_proxy.freeze()
        owned = await eventually(lambda: _owned(survivor), lambda o: o == (4,), timeout=90)
        database_proxy.restore()

    assert owned == (4,)


async def test_a_relay_that_reaches_the_database_but_not_the_broker_hands_the_lead_over(
    make_runtime: Any,
) -> None:
    runtime = await make_runtime("probe")
    unreachable = runtime.platform.model_copy(
        update={
            "kafka_bootstrap_servers": f"127.0.0.1:{free_port()}",
            "kafka_request_timeout_ms": 1000,
        }
    )
    cut_off = OutboxRelay(
        service="probe", schema="probe", dsn=runtime.dsn, platform=unreachable, poll_seconds=0.2
    )
    cut_off.handover_after_seconds = 2.0
    healthy = build_relay(runtime)
    key = f"handover-{uuid.uuid4()}"

    async with running(cut_off.run):
        await eventually(lambda: _leaders(cut_off), lambda n: n == 1, timeout=10)
        async with runtime.uow(ACTOR) as uow:
            await record_things(uow, [(key, 1)])
        async with running(healthy.run):
            remaining = await eventually(
                lambda: _unpublished(runtime), lambda n: n == 0, timeout=30
            )

    assert remaining == 0


async def test_a_listen_on_a_connection_gone_silent_fails_within_the_query_timeout(
    make_runtime: Any, database_proxy: TcpProxy
) -> None:
    """LISTEN is bounded like every query: without a timeout it held the connection forever,
    starving the heartbeat too, and a leader frozen at that moment never noticed (the flaky
    relay test above found it)."""
    runtime = await make_runtime("probe")
    timings = LockTimings(heartbeat_seconds=scaled(0.5), session_timeout_seconds=scaled(3.0))
    conn = await LockConnection(
        _through(runtime.dsn, database_proxy),
        schema="probe",
        application_name="listen-test",
        timings=timings,
    ).open()
    try:
        database_proxy.freeze()
        started = time.monotonic()
        try:
            with pytest.raises((TimeoutError, OSError, asyncpg.InterfaceError)):
                await asyncio.wait_for(
                    conn.listen("probe_listen_test", lambda _payload: None),
                    timeout=scaled(30),
                )
        finally:
            database_proxy.restore()
        waited = time.monotonic() - started
    finally:
        await conn.close()

    assert conn.lost.is_set()
    assert waited < scaled(30)
