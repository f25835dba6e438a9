"""The launcher's state file (`var/run/stack.json`): what `make stop` reads to stop a stack.

The launcher (`imet.stack.Stack`) writes its own PID and every child's; `stop_recorded` asks
the launcher to stop and cleans up by PID if it is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
from pathlib import Path

from imet.infra.process import stop_pid

PROJECT_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["PROJECT_ROOT", "stop_recorded", "var_dir"]


def var_dir() -> Path:
    return Path(os.environ.get("IMET_VAR_DIR", PROJECT_ROOT / "var"))


def stop_recorded(var: Path | None = None) -> list[str]:
    """`make stop`: ask the running launcher to stop; clean up by PID if it is gone."""
    state_file = (var or var_dir()) / "run" / "stack.json"
    if not state_file.exists():
        return []
    state = json.loads(state_file.read_text())
    stopped = []
    launcher = state.get("launcher")
    if launcher and launcher != os.getpid() and stop_pid(launcher, sig=signal.SIGTERM, timeout=40):
        stopped.append(f"launcher {launcher}")
    for name, pid in (state.get("processes") or {}).items():
        if stop_pid(pid, timeout=10):
            stopped.append(f"{name} {pid}")
    for name in ("broker", "postgres"):
        pid = state.get(name)
        if pid and stop_pid(
            pid, sig=signal.SIGINT if name == "postgres" else signal.SIGTERM, timeout=15
        ):
            stopped.append(f"{name} {pid}")
    root = state.get("postgres_root")
    if root:
        shutil.rmtree(root, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        state_file.unlink()
    with contextlib.suppress(FileNotFoundError):
        (state_file.parent / "gateway-database-url").unlink()
    return stopped
