"""Fault tests: real processes, real connections cut, real processes killed.

Two kinds:
- probe-level tests (`test_broker_outage.py`, `test_consumer_killed.py`) on the run's shared
  infrastructure (fixture `proxied_broker` for a broker whose connections can be cut);
- pipeline scenarios on ONE fault stack per session (`fault_stack`): every role of every
  service in its own process, a private PostgreSQL and a private broker behind a TCP proxy.
  They share the `faults` xdist group (one worker runs them all, one after another) and each
  heals the stack afterwards (killed processes restarted, proxy restored).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from gateway.signing.issuer import issue_dev_token
from tests.e2e.driver import Driver
from tests.faults.harness import FaultStack
from tests.faults.measure import FaultReport
from tests.faults.scenario import Scenario

SCENARIO_MODULES = ("test_broker_faults", "test_process_kills", "test_postgres_restart",
                    "test_rebalance", "test_duplicates_and_poison")  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/faults/" in str(item.path) and item.path.stem in SCENARIO_MODULES:
            item.add_marker(pytest.mark.xdist_group("faults"))


@pytest.fixture(scope="session")
def fault_stack_session() -> Iterator[FaultStack]:
    fs = FaultStack.start()
    try:
        yield fs
    finally:
        fs.stop()


@pytest.fixture
async def fault_stack(fault_stack_session: FaultStack) -> AsyncIterator[FaultStack]:
    """The session's fault stack, healed after each scenario whatever it did to it."""
    yield fault_stack_session
    await fault_stack_session.heal()


@pytest.fixture
async def scenario(
    fault_stack: FaultStack, request: pytest.FixtureRequest
) -> AsyncIterator[Scenario]:
    """A scenario named after the test (`test_<name>` -> `<name>`) on the fault stack."""
    async with httpx.AsyncClient(base_url=fault_stack.gateway_url, timeout=60.0) as client:

        def token(role: str, country: str | None = None) -> str:
            return issue_dev_token(fault_stack.stack.key_dir, role, country=country)

        name = request.node.name.removeprefix("test_")
        yield Scenario(fault_stack, Driver(client, token), FaultReport(), name)
