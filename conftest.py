"""Root test configuration: the run's servers (started lazily), one time scale, test profiles.

- PostgreSQL and the broker start only when a test needs them (tests/helpers/infra.py): the
  fast tier starts neither. Under xdist the controller owns them for the whole run.
- Every deadline is scaled by IMET_TEST_TIME_SCALE (tests/helpers/timing.py), pytest-timeout's
  included, so a slower machine makes the suite slower, never red.
- Hypothesis never judges wall-clock speed (no deadline) and keeps no example database between
  runs, so a property test means the same on every machine.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.helpers.infra import SOCKET_ENV, InfraServer, new_run_id, stop_local_infra
from tests.helpers.timing import scaled, start_cpu_hogs, stop_cpu_hogs

settings.register_profile(
    "imet",
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "imet"))

_SERVER = pytest.StashKey["InfraServer"]()
_HOGS = pytest.StashKey["list[subprocess.Popen[bytes]]"]()
_RUN_DIR = pytest.StashKey["Path"]()


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller serves the run's infrastructure
    new_run_id()
    config.stash[_HOGS] = start_cpu_hogs()  # IMET_TEST_CPU_HOG=N: a slower machine, on purpose
    run_dir = Path(tempfile.mkdtemp(prefix="imet-test-run-"))
    config.stash[_RUN_DIR] = run_dir
    if not os.environ.get("IMET_TEST_KEY_DIR"):
        from gateway.signing.keys import ensure_dev_keys

        key_dir = run_dir / "keys"
        ensure_dev_keys(key_dir)
        os.environ["IMET_TEST_KEY_DIR"] = str(key_dir)
        os.environ["AUTH_JWKS_FILE"] = str(key_dir / "jwks.json")
    if getattr(config.option, "numprocesses", None):
        log_dir = Path(tempfile.mkdtemp(prefix="imet-test-logs-"))  # kept for a red run
        server = InfraServer(run_dir, log_dir=log_dir).start()
        config.stash[_SERVER] = server
        os.environ[SOCKET_ENV] = server.address


def pytest_unconfigure(config: pytest.Config) -> None:
    server = config.stash.get(_SERVER, None)
    if server is not None:
        server.stop()
    stop_local_infra()
    stop_cpu_hogs(config.stash.get(_HOGS, []))
    run_dir = config.stash.get(_RUN_DIR, None)
    if run_dir is not None:
        shutil.rmtree(run_dir, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """pytest-timeout's limits, scaled like every other deadline of the suite."""
    default = float(config.getini("timeout") or 0)
    for item in items:
        marker = item.get_closest_marker("timeout")
        limit = float(marker.args[0]) if marker and marker.args else default
        if limit:
            item.add_marker(pytest.mark.timeout(scaled(limit)), append=False)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
    """The whole-stack tests must share one worker (one stack): refuse to run if the
    `xdist_group` marks were lost on the way (pytest-xdist #1386: pytest >= 9.2 drops them)."""
    grouped = [i for i in ids if "tests/e2e/" in i or "tests/security/" in i]
    if grouped and not any(i.endswith("@e2e") for i in grouped):
        raise pytest.UsageError(
            "pytest-xdist is not grouping the e2e tests (xdist_group marks lost): every "
            "worker would start its own stack. Use the pinned pytest (constraints.txt)."
        )


pytest_plugins = ["tests.helpers.fixtures"]
