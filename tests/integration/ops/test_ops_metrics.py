"""The on-call gauges of a service's /metrics, computed on scrape from the database and the
broker (ADR 0095): outbox backlog and age, relay leader, consumer lag and last apply, DLQ
records from the broker, pool use. Real PostgreSQL, real broker, the probe service."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.auth.principal import system_actor
from shared.http.app import create_service_app
from shared.messaging.kafka import dlq_topic, physical_topic
from shared.runner import build_consumer, build_relay
from tests.helpers.fixtures import running
from tests.helpers.kafka import produce
from tests.helpers.waiting import eventually
from tests.integration.platform.test_consumer import _record
from tests.platform_probe.service import ThingHappenedV1, record_things

ACTOR = system_actor("ops-metrics-test")
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
async def probe(make_runtime: Any, topic_prefix: str) -> AsyncIterator[tuple[Any, Any]]:
    runtime = await make_runtime("probe")
    app = create_service_app(runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield runtime, client


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def total(samples: Samples, name: str, **labels: str) -> float:
    return sum(
        v
        for (n, ls), v in samples.items()
        if n == name and all(dict(ls).get(k) == want for k, want in labels.items())
    )


async def test_outbox_backlog_age_and_relay_leader_follow_the_relay(probe: Any) -> None:
    runtime, client = probe
    async with runtime.uow(ACTOR) as uow:
        await record_things(uow, [(f"backlog-{uuid.uuid4()}", i) for i in range(3)])
    await asyncio.sleep(0.3)

    staged = await scrape(client)

    assert (value(staged, "imet_outbox_backlog_rows", service="probe") or 0) >= 3
    assert (value(staged, "imet_outbox_oldest_unpublished_seconds", service="probe") or 0) > 0.2
    assert value(staged, "imet_outbox_relay_leader_present", service="probe") == 0
    assert value(staged, "imet_ops_source_up", service="probe", source="database") == 1
    assert value(staged, "imet_db_pool_size", service="probe") == runtime.settings.db_pool_size
    assert value(staged, "imet_db_pool_in_use", service="probe") is not None

    async with running(build_relay(runtime).run):
        drained = await eventually(
            lambda: scrape(client),
            lambda s: (
                value(s, "imet_outbox_backlog_rows", service="probe") == 0
                and value(s, "imet_outbox_relay_leader_present", service="probe") == 1
            ),
            timeout=30,
        )
    assert value(drained, "imet_outbox_oldest_unpublished_seconds", service="probe") == 0
    after = await eventually(
        lambda: scrape(client),
        lambda s: value(s, "imet_outbox_relay_leader_present", service="probe") == 0,
    )
    assert value(after, "imet_outbox_relay_leader_present", service="probe") == 0


async def test_consumer_lag_rises_with_records_and_falls_to_zero_once_applied(
    probe: Any, topic_prefix: str
) -> None:
    runtime, client = probe
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    key = f"lag-{uuid.uuid4()}"
    before = await scrape(client)
    lag_before = total(before, "imet_consumer_lag_records", consumer="probe", topic=topic)

    await produce(topic, [_record(key, i) for i in range(5)])

    # Tansu's end offsets can trail the records it holds (ENVIRONMENT.md): wait for them.
    behind = await eventually(
        lambda: scrape(client),
        lambda s: (
            total(s, "imet_consumer_lag_records", consumer="probe", topic=topic) >= lag_before + 5
        ),
        timeout=20,
    )
    partitions = {
        dict(ls)["partition"]
        for (n, ls), _ in behind.items()
        if n == "imet_consumer_lag_records" and dict(ls)["topic"] == topic
    }
    assert partitions == {"0", "1", "2", "3"}

    async with running(build_consumer(runtime).run):
        caught_up = await eventually(
            lambda: scrape(client),
            lambda s: total(s, "imet_consumer_lag_records", consumer="probe", topic=topic) == 0,
            timeout=40,
        )
    assert (value(caught_up, "imet_consumer_last_applied_seconds", consumer="probe") or 99) < 30
    assert value(caught_up, "imet_ops_source_up", service="probe", source="broker") == 1


async def test_dead_letters_are_counted_from_the_broker_per_topic(
    probe: Any, topic_prefix: str
) -> None:
    runtime, client = probe
    topic = physical_topic(ThingHappenedV1.TOPIC, topic_prefix)
    dlq = dlq_topic(topic)
    before = value(await scrape(client), "imet_dlq_records", service="probe", topic=dlq) or 0
    poison = (f"poison-{uuid.uuid4()}".encode(), b"not a cloud event", [])
    sentinel = _record(poison[0].decode(), 1)  # same key: applied after the poison

    await produce(topic, [poison, sentinel])
    async with running(build_consumer(runtime).run):
        counted = await eventually(
            lambda: scrape(client),
            lambda s: (value(s, "imet_dlq_records", service="probe", topic=dlq) or 0) >= before + 1,
            timeout=40,
        )

    assert value(counted, "imet_dlq_records", service="probe", topic=dlq) == before + 1


async def test_a_broker_that_cannot_be_reached_drops_the_broker_figures_not_the_scrape(
    make_runtime: Any, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imet.infra.process import free_port

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("KAFKA_REQUEST_TIMEOUT_MS", "1000")
    runtime = await make_runtime("probe")
    app = create_service_app(runtime)
    app.state.ops_metrics.timeout = 1.5
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        samples = await scrape(client)

    assert value(samples, "imet_ops_source_up", service="probe", source="broker") == 0
    assert value(samples, "imet_ops_source_up", service="probe", source="database") == 1
    assert value(samples, "imet_outbox_backlog_rows", service="probe") is not None
