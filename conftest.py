"""Root test configuration: real PostgreSQL and a real Kafka-protocol broker for the whole run."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.helpers.infra import start_run_infra


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller started (or found) the servers
    log_dir = Path(tempfile.mkdtemp(prefix="imet-test-logs-"))
    config.stash[_INFRA] = start_run_infra(log_dir)


def pytest_unconfigure(config: pytest.Config) -> None:
    infra = config.stash.get(_INFRA, None)
    if infra is not None:
        infra.stop()


_INFRA = pytest.StashKey["object"]()

pytest_plugins = ["tests.helpers.fixtures"]
