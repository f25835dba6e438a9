"""Fixtures of the vetting integration tests (real PostgreSQL and broker from the root conftest)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.runtime import ServiceRuntime


@pytest.fixture
async def runtime(make_runtime: Any) -> ServiceRuntime[Any, Any]:
    """A vetting runtime for arranging data through the use cases and probing tables."""
    built: ServiceRuntime[Any, Any] = await make_runtime("vetting")
    return built


@pytest.fixture
async def client(service_client: Any) -> httpx.AsyncClient:
    """The vetting HTTP app in process, on the worker's database."""
    built: httpx.AsyncClient = await service_client("vetting")
    return built
