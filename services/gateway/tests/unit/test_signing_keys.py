"""The dev key directory: creation, file modes, stable key ids, rotation, live JWKS reload."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import (
    PRIVATE_JWKS_FILE,
    KeySet,
    ensure_dev_keys,
    jwk_thumbprint,
    load_private_keys,
    public_jwks,
    rotate_keys,
)
from shared.auth.jwks import PUBLIC_JWKS_FILE, FileJwksSource
from shared.auth.tokens import TokenVerifier

ISSUER = "imet-test-issuer"
AUDIENCE = "imet-pipeline"


def _issuer(keyset: KeySet) -> TokenIssuer:
    return TokenIssuer(keyset.current, ISSUER, AUDIENCE)


def test_first_key_is_ed25519_and_only_its_owner_can_read_the_private_file(key_dir: Path) -> None:
    keyset = ensure_dev_keys(key_dir)

    assert keyset.current.algorithm == "EdDSA"
    assert stat.S_IMODE((key_dir / PRIVATE_JWKS_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE((key_dir / PUBLIC_JWKS_FILE).stat().st_mode) == 0o644


def test_existing_key_is_reused_not_replaced(key_dir: Path) -> None:
    first = ensure_dev_keys(key_dir)

    second = ensure_dev_keys(key_dir)

    assert second.current.kid == first.current.kid


def test_processes_starting_together_agree_on_one_key(key_dir: Path) -> None:
    kids: list[str] = []
    threads = [
        threading.Thread(target=lambda: kids.append(ensure_dev_keys(key_dir).current.kid))
        for _ in range(8)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(kids)) == 1
    assert len(load_private_keys(key_dir).keys) == 1


def test_public_jwks_carries_no_private_key_material(key_dir: Path) -> None:
    ensure_dev_keys(key_dir)

    published = json.loads((key_dir / PUBLIC_JWKS_FILE).read_text())

    assert published == public_jwks(key_dir)
    assert all("d" not in key for key in published["keys"])


def test_kid_is_the_rfc8037_thumbprint_of_the_key() -> None:
    # RFC 8037 appendix A.3: the thumbprint of the example Ed25519 public key.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}

    assert jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_token_signed_by_previous_key_still_verifies_after_rotation(key_dir: Path) -> None:
    old_token = _issuer(ensure_dev_keys(key_dir)).issue("user-1", ["auditor"])
    rotate_keys(key_dir)
    verifier = TokenVerifier(FileJwksSource(key_dir / PUBLIC_JWKS_FILE), ISSUER, AUDIENCE)

    principal = verifier.verify(old_token)

    assert principal.subject == "user-1"


def test_new_tokens_after_rotation_use_the_new_kid(key_dir: Path) -> None:
    before = ensure_dev_keys(key_dir)

    after = rotate_keys(key_dir)

    assert after.current.kid != before.current.kid
    assert load_private_keys(key_dir).current.kid == after.current.kid
    assert [k.kid for k in after.keys] == [after.current.kid, before.current.kid]


def test_rotation_keeps_at_most_three_keys(key_dir: Path) -> None:
    ensure_dev_keys(key_dir)

    for _ in range(4):
        keyset = rotate_keys(key_dir)

    assert len(keyset.keys) == 3
    assert len(public_jwks(key_dir)["keys"]) == 3


def test_running_verifier_picks_up_the_rotated_jwks_file(key_dir: Path) -> None:
    ensure_dev_keys(key_dir)
    verifier = TokenVerifier(FileJwksSource(key_dir / PUBLIC_JWKS_FILE), ISSUER, AUDIENCE)
    verifier.verify(_issuer(load_private_keys(key_dir)).issue("user-0", ["auditor"]))

    new_token = _issuer(rotate_keys(key_dir)).issue("user-1", ["auditor"])

    assert verifier.verify(new_token).subject == "user-1"


def test_unparsable_jwks_file_keeps_the_keys_read_before(key_dir: Path) -> None:
    keyset = ensure_dev_keys(key_dir)
    source = FileJwksSource(key_dir / PUBLIC_JWKS_FILE)
    source.cached_key(keyset.current.kid)

    (key_dir / PUBLIC_JWKS_FILE).write_text("{not json")

    assert source.cached_key(keyset.current.kid) is not None
