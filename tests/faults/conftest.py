"""Fault tests: real processes, a private broker behind a TCP proxy we can cut."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from imet.infra.broker import EmbeddedBroker
from imet.infra.process import free_port
from shared.messaging.kafka import all_physical_topics, ensure_topics, physical_topic
from tests.helpers.tcp_proxy import TcpProxy

pytestmark = pytest.mark.faults


@pytest.fixture
def proxied_broker(tmp_path) -> Iterator[TcpProxy]:  # type: ignore[no-untyped-def]
    """A broker that advertises the proxy's address, so every client connection can be cut."""
    proxy_port = free_port()
    broker = EmbeddedBroker(advertised_port=proxy_port, log_path=tmp_path / "tansu.log")
    broker.start()
    proxy = TcpProxy("127.0.0.1", broker.port, port=proxy_port).start()
    try:
        topics = all_physical_topics("")
        topics += [physical_topic("imet.probe.events", ""), "imet.probe.events.dlq"]
        asyncio.run(ensure_topics(proxy.address, topics, partitions=4))
        yield proxy
    finally:
        proxy.stop()
        broker.stop()
