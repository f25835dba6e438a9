"""Fixtures of the reporting integration tests (real PostgreSQL and broker, root conftest)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.runtime import ServiceRuntime


@pytest.fixture
async def runtime(make_runtime: Any) -> ServiceRuntime[Any, Any]:
    built: ServiceRuntime[Any, Any] = await make_runtime("reporting")
    return built


@pytest.fixture
async def client(service_client: Any) -> httpx.AsyncClient:
    built: httpx.AsyncClient = await service_client("reporting")
    return built
