"""The idempotency tests' fixtures: the probe's sessions and HTTP client, a subject of its own
per test, and the headers of a request with a given key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.helpers.fixtures import RuntimeFactory, auth
from tests.integration.http.idempotency.support import token_for, unique


@pytest.fixture
async def sessions(make_runtime: RuntimeFactory) -> async_sessionmaker[AsyncSession]:
    return (await make_runtime("probe")).sessions


@pytest.fixture
async def client(
    service_client: Callable[[str], Awaitable[httpx.AsyncClient]],
) -> httpx.AsyncClient:
    return await service_client("probe")


@pytest.fixture
def subject() -> str:
    return unique("idem-user")


@pytest.fixture
def headers(subject: str) -> Callable[[str], dict[str, str]]:
    token = token_for(subject)
    return lambda key: auth(token) | {"Idempotency-Key": key}
