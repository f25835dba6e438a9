"""No real secret is committed under deploy/: no private key, no private JWK, and every
password or key of deploy/.env.example a placeholder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.contract.deploy_files.compose import env_file
from tests.contract.deploy_files.settings import DEPLOY, ENV_EXAMPLE, ROOT


def deploy_files() -> list[Path]:
    return [p for p in DEPLOY.rglob("*") if p.is_file()]


@pytest.mark.parametrize("path", deploy_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_real_secret_is_committed(path: Path) -> None:
    text = path.read_text()
    assert "PRIVATE KEY-----" not in text, path
    assert not re.search(r'"d"\s*:\s*"[A-Za-z0-9_-]{20,}"', text), f"{path}: a private JWK"
    if path == ENV_EXAMPLE:
        for name, value in env_file(path).items():
            if re.search(r"(PASSWORD|_KEY)$", name):
                assert value.startswith("change-me"), f"{name} must stay a placeholder"
