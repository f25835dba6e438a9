"""Unit tests of the issuer's signing keys get a fresh key directory each (no shared keys)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"
