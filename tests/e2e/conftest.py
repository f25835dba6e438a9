"""End-to-end: the whole stack as real processes (services + gateway), driven through the gateway.

One stack per test session, on the run's PostgreSQL and broker, with its own database, roles,
topic prefix and ports. All e2e tests share the `e2e` xdist group, so one worker runs them all
against one stack.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from imet.provision import drop_database
from imet.stack import Stack, StackOptions
from tests.helpers.infra import RUN_ID_ENV, admin_url, bootstrap_servers, worker_id
from tests.helpers.timing import scaled


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


_SHARED_STACK = "imet_e2e_stack"


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """The session's one stack. Other conftests import this fixture (tests/security): pytest
    then holds one session-scoped instance per conftest, so the first one to start the stack
    keeps it on the session and the others reuse it (the starter stops it at the end)."""
    shared: Stack | None = getattr(request.session, _SHARED_STACK, None)
    if shared is not None:
        yield shared
        return
    name = f"imet_e2e{os.environ[RUN_ID_ENV]}_{worker_id()}"
    var = Path(tempfile.mkdtemp(prefix="imet-e2e-"))
    options = StackOptions.random_ports(
        database=name,
        topic_prefix=f"{name}.",
        role_prefix=f"{name}_",
        var=var,
        seed=False,
        admin_url=admin_url(),
        bootstrap_servers=bootstrap_servers(),
        extra_env={"LOG_LEVEL": "INFO", "LOG_JSON": "true", "KAFKA_FETCH_MAX_WAIT_MS": "10"},
    )
    running = Stack(options)
    running.start(say=lambda *_: None)
    setattr(request.session, _SHARED_STACK, running)
    try:
        yield running
    finally:
        delattr(request.session, _SHARED_STACK)
        running.stop()
        roles = [d.role for d in running.databases.values()]
        asyncio.run(drop_database(options.admin_url or "", name, roles))
        shutil.rmtree(var, ignore_errors=True)


@pytest.fixture
async def gateway(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=scaled(30.0)) as client:
        yield client


@pytest.fixture(scope="session")
def e2e_token(stack: Stack):  # type: ignore[no-untyped-def]
    """`e2e_token("sco", country="GTM")`: a token signed by the stack's own dev key."""
    from gateway.signing.issuer import issue_dev_token

    def _token(role: str, country: str | None = None) -> str:
        return issue_dev_token(stack.key_dir, role, country=country)

    return _token
