"""A JWKS served over HTTP (an external OIDC issuer): fetched, cached, refetched on a new kid."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import SigningKey, ensure_dev_keys, generate_key, rotate_keys
from shared.auth.jwks import UrlJwksSource
from shared.auth.tokens import AuthError, TokenVerifier

ISSUER = "imet-test-issuer"
AUDIENCE = "imet-pipeline"


def _token(key: SigningKey, subject: str = "user-1") -> str:
    return TokenIssuer(key, ISSUER, AUDIENCE).issue(subject, ["auditor"])


def _verifier(url: str, cooldown: float) -> TokenVerifier:
    return TokenVerifier(UrlJwksSource(url, cooldown=cooldown), ISSUER, AUDIENCE)


async def test_token_verifies_against_a_jwks_url(jwks_server: Any, key_dir: Path) -> None:
    keyset = ensure_dev_keys(key_dir)
    jwks_server.document = keyset.public_jwks()

    principal = await _verifier(jwks_server.url, cooldown=30).averify(_token(keyset.current))

    assert principal.subject == "user-1"


async def test_new_kid_after_rotation_triggers_one_refetch(jwks_server: Any, key_dir: Path) -> None:
    keyset = ensure_dev_keys(key_dir)
    jwks_server.document = keyset.public_jwks()
    verifier = _verifier(jwks_server.url, cooldown=0)
    await verifier.averify(_token(keyset.current))
    rotated = rotate_keys(key_dir)
    jwks_server.document = rotated.public_jwks()

    principal = await verifier.averify(_token(rotated.current, "user-2"))

    assert principal.subject == "user-2"
    assert jwks_server.fetches == 2


async def test_unknown_kids_do_not_refetch_within_the_cooldown(
    jwks_server: Any, key_dir: Path
) -> None:
    keyset = ensure_dev_keys(key_dir)
    jwks_server.document = keyset.public_jwks()
    verifier = _verifier(jwks_server.url, cooldown=60)
    await verifier.averify(_token(keyset.current))
    strangers: list[Callable[[], str]] = [lambda: _token(generate_key()) for _ in range(5)]

    for make_token in strangers:
        with pytest.raises(AuthError, match="unknown_kid"):
            await verifier.averify(make_token())

    assert jwks_server.fetches == 1
