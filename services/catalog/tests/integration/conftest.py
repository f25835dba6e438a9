"""Fixtures of the catalog integration tests (builders live in `builders.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from services.catalog.tests.integration.builders import CatalogData, Deliver
from shared.contracts.envelope import IntegrationEvent, build_headers, encode_value
from shared.messaging.kafka import physical_topic
from tests.helpers.fixtures import auth
from tests.helpers.kafka import produce


@pytest.fixture
async def catalog_runtime(make_runtime: Callable[[str], Awaitable[Any]]) -> Any:
    return await make_runtime("catalog")


@pytest.fixture
def data(catalog_runtime: Any) -> CatalogData:
    return CatalogData(catalog_runtime)


@pytest.fixture
async def client(
    service_client: Callable[[str], Awaitable[httpx.AsyncClient]],
) -> httpx.AsyncClient:
    return await service_client("catalog")


@pytest.fixture
def manager(token: Callable[..., str]) -> dict[str, str]:
    return auth(token("catalog_manager"))


@pytest.fixture
def deliver(topic_prefix: str) -> Deliver:
    """Produce events onto their topics as CloudEvents (`event_id` lets a test redeliver one)."""

    async def _deliver(*events: IntegrationEvent | tuple[IntegrationEvent, str]) -> None:
        by_topic: dict[str, list[tuple[bytes, bytes, list[tuple[str, bytes]]]]] = {}
        for item in events:
            event, event_id = item if isinstance(item, tuple) else (item, str(uuid.uuid4()))
            headers = build_headers(
                event_id=event_id,
                event_type=event.TYPE,
                source="/imet/test",
                subject=event.aggregate_id(),
                time=datetime.now(UTC),
            )
            record = (
                event.aggregate_id().encode(),
                encode_value(event.body()),
                [(k, v.encode()) for k, v in headers.items()],
            )
            by_topic.setdefault(physical_topic(event.TOPIC, topic_prefix), []).append(record)
        for topic, records in by_topic.items():
            await produce(topic, records)

    return _deliver
