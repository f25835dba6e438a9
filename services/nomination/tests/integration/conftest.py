"""Fixtures of the nomination integration tests: the HTTP app on a real database, a consumer on
the real broker for the whole module, a `world` and a `bus` (see `support.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from imet.services import definition
from services.nomination.tests.integration.support import Bus, World, status_of
from shared.runner import build_consumer
from shared.runtime import ServiceRuntime
from tests.helpers.fixtures import TokenFactory, running
from tests.helpers.waiting import eventually


@pytest.fixture
async def runtime(
    make_runtime: Callable[[str], Awaitable[ServiceRuntime[Any, Any]]],
) -> ServiceRuntime[Any, Any]:
    return await make_runtime("nomination")


@pytest.fixture
async def client(
    service_client: Callable[[str], Awaitable[httpx.AsyncClient]],
) -> httpx.AsyncClient:
    return await service_client("nomination")


@pytest.fixture
async def world(
    runtime: ServiceRuntime[Any, Any], client: httpx.AsyncClient, token: TokenFactory
) -> World:
    return World(runtime, client, token)


@pytest.fixture(scope="module")
async def consumer(platform_ready: Any) -> AsyncIterator[ServiceRuntime[Any, Any]]:
    """The nomination consumer, running for the whole module (one start-up, many scenarios)."""
    d = definition("nomination")
    runtime = ServiceRuntime(d, d.settings_factory())
    events = build_consumer(runtime)
    try:
        async with running(events.run):
            await eventually(lambda: _owned(events), lambda n: n > 0, timeout=30)
            yield runtime
    finally:
        await runtime.aclose()


async def _owned(events: Any) -> int:
    return len(events.owned)


@pytest.fixture
def bus(topic_prefix: str, consumer: ServiceRuntime[Any, Any]) -> Bus:
    return Bus(topic_prefix)


@pytest.fixture
def until(world: World) -> Callable[..., Awaitable[Any]]:
    """`await until(id, lambda row: row.status == "funding")`: the row once the condition holds."""

    async def _until(
        nomination_id: Any, condition: Callable[[Any], bool], timeout: float = 15.0
    ) -> Any:
        return await eventually(
            lambda: status_of(world.runtime, nomination_id), condition, timeout=timeout
        )

    return _until
