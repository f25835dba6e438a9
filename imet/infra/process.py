"""Child processes that die with their parent.

Every infrastructure process the launcher or the test harness starts is a direct child: we
hold its PID, stop it with a signal to that PID, and ask the kernel (PR_SET_PDEATHSIG) to
signal it if we die first, so nothing is left behind even after a SIGKILL of the parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1
NOBODY_UID = 65534
NOBODY_GID = 65534


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on `host`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _die_with_parent(sig: int) -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)


def preexec(*, as_nobody: bool, death_signal: int) -> Callable[[], None]:
    """A `preexec_fn`: optionally drop to `nobody`, then arm the parent-death signal.

    The death signal must be armed AFTER the uid change: the kernel clears it on credential
    changes (prctl(2)), which is why `setpriv` cannot be used for this.
    """

    def _run() -> None:
        os.setsid()
        if as_nobody:
            os.setgroups([])
            os.setgid(NOBODY_GID)
            os.setuid(NOBODY_UID)
        _die_with_parent(death_signal)

    return _run


def spawn(
    argv: Sequence[str],
    *,
    log_path: Path,
    as_nobody: bool = False,
    death_signal: int = signal.SIGTERM,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    log = log_path.open("ab")
    try:
        return subprocess.Popen(  # noqa: S603 - argv is built by us, never from user input
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            preexec_fn=preexec(as_nobody=as_nobody, death_signal=death_signal),
            close_fds=True,
        )
    finally:
        log.close()


def stop_process(
    proc: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, timeout: float = 10.0
) -> None:
    """Signal one child by PID, wait, and SIGKILL it if it does not go."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=5)


def stop_pid(pid: int, *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> bool:
    """Stop a process an earlier run started (by its recorded PID). True if it was alive."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return True


def wait_for_port(host: str, port: int, *, timeout: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"process {proc.args!r} exited with {proc.returncode} while starting"
            )
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
            return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")
