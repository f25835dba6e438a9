"""External test tools: on PATH, or unpacked into the venv by `scripts/test-tools` (make test)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

VENV_TOOLS = Path(sys.prefix) / "tools" / "bin"


def find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found is not None:
        return found
    candidate = VENV_TOOLS / name
    return str(candidate) if os.access(candidate, os.X_OK) else None


def require_tool(name: str, why: str) -> str:
    """The tool's path; a skip on a developer's machine without it, a failure in CI (CI=true)."""
    found = find_tool(name)
    if found is None:
        message = f"{name} is not installed ({why}; `make test` runs scripts/test-tools)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found
