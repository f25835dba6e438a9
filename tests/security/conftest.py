"""Security tests run against the SAME whole stack as the e2e tests (one per session).

The e2e fixtures are imported (`pytest_plugins` is for the root conftest only). Imported, they
are a second session-scoped fixture definition, so `stack` keeps the running stack on the
session and whichever definition runs second reuses it (tests/e2e/conftest.py). Every test
here joins the `e2e` xdist group, so one worker runs them next to the e2e tests.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from imet.stack import Stack
from tests.e2e.conftest import e2e_token, gateway, stack
from tests.e2e.driver import Driver
from tests.helpers.timing import scaled
from tests.security.world import World, build_world

__all__ = ["e2e_token", "gateway", "stack", "world"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/security/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
async def world(stack: Stack, e2e_token: Any) -> World:
    """Country A's objects (and country B), made once per session through the gateway."""
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=scaled(30.0)) as client:
        return await build_world(Driver(client, e2e_token))
