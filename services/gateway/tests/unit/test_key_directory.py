"""The signer's view of a key directory: live reload, read-only mounts, two-step rotation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gateway.signing.keys import (
    KeyDirectory,
    ensure_dev_keys,
    load_private_keys,
    promote_key,
    public_jwks,
    rotate_keys,
    stage_key,
)


def test_a_running_signer_picks_up_a_rotation_without_restart(key_dir: Path) -> None:
    first = ensure_dev_keys(key_dir)
    signer = KeyDirectory(key_dir)
    before = signer.current

    rotated = rotate_keys(key_dir)

    assert before.kid == first.current.kid
    assert signer.current.kid == rotated.current.kid != before.kid


def test_keys_in_a_read_only_directory_are_loaded_without_writing(key_dir: Path) -> None:
    created = ensure_dev_keys(key_dir)
    (key_dir / ".lock").unlink()
    os.chmod(key_dir, 0o500)
    try:
        loaded = ensure_dev_keys(key_dir)
        current = KeyDirectory(key_dir).current
    finally:
        os.chmod(key_dir, 0o700)

    assert loaded.current.kid == created.current.kid == current.kid
    assert not (key_dir / ".lock").exists()


def test_a_directory_without_keys_is_an_error_for_the_signer(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        KeyDirectory(tmp_path / "empty").keyset()


def test_a_staged_key_is_published_but_does_not_sign(key_dir: Path) -> None:
    current = ensure_dev_keys(key_dir).current

    staged = stage_key(key_dir)

    assert staged.current.kid == current.kid
    assert [k["kid"] for k in public_jwks(key_dir)["keys"]] == [current.kid, staged.keys[1].kid]


def test_promoting_a_staged_key_makes_it_sign_and_keeps_the_old_one_published(
    key_dir: Path,
) -> None:
    old = ensure_dev_keys(key_dir).current
    new = stage_key(key_dir).keys[1]

    promote_key(key_dir, new.kid)

    assert [k.kid for k in load_private_keys(key_dir).keys] == [new.kid, old.kid]


def test_promoting_an_unknown_key_is_refused(key_dir: Path) -> None:
    ensure_dev_keys(key_dir)

    with pytest.raises(KeyError, match="no key"):
        promote_key(key_dir, "not-a-kid")
