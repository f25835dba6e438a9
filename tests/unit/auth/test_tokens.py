"""Issuing and verifying tokens: every way a token can be wrong is refused with its reason."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import KeySet, SigningKey, ensure_dev_keys, generate_key
from shared.auth.jwks import FileJwksSource
from shared.auth.principal import Principal
from shared.auth.tokens import AuthError, TokenVerifier, _VerifiedTokens

ISSUER = "imet-test-issuer"
AUDIENCE = "imet-pipeline"
Sign = Callable[[dict[str, Any], SigningKey], str]
Claims = Callable[..., dict[str, Any]]


def _reason(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthError) as caught:
        verifier.verify(token)
    return caught.value.reason


def test_issued_token_verifies_to_its_principal(
    issuer: TokenIssuer, verifier: TokenVerifier
) -> None:
    token = issuer.issue("sco-7", ["sco"], country="GTM", client_id="embassy-gtm")

    principal = verifier.verify(token)

    assert principal.subject == "sco-7"
    assert principal.roles == frozenset({"sco"})
    assert principal.country == "GTM"
    assert principal.client_id == "embassy-gtm"
    assert principal.token_id


async def test_async_verification_gives_the_same_principal(
    issuer: TokenIssuer, verifier: TokenVerifier
) -> None:
    token = issuer.issue("vetter-1", ["vetter"])

    principal = await verifier.averify(token)

    assert principal == verifier.verify(token)


def test_expired_token_is_refused(issuer: TokenIssuer, verifier: TokenVerifier) -> None:
    token = issuer.issue("user-1", ["vetter"], ttl=-5)

    assert _reason(verifier, token) == "expired"


def test_token_not_valid_yet_is_refused(
    keyset: KeySet, verifier: TokenVerifier, sign: Sign, claims: Claims
) -> None:
    token = sign(claims(nbf=int(time.time()) + 300), keyset.current)

    assert _reason(verifier, token) == "not_yet_valid"


def test_token_signed_by_another_key_under_a_known_kid_is_refused(
    keyset: KeySet, verifier: TokenVerifier, sign: Sign, claims: Claims
) -> None:
    forger = generate_key()
    forged = SigningKey(kid=keyset.current.kid, algorithm="EdDSA", private_key=forger.private_key)

    token = sign(claims(roles=["admin"]), forged)

    assert _reason(verifier, token) == "bad_signature"


def test_token_signed_by_an_unknown_key_is_refused(
    verifier: TokenVerifier, sign: Sign, claims: Claims
) -> None:
    token = sign(claims(), generate_key())

    assert _reason(verifier, token) == "unknown_kid"


def test_token_for_another_audience_is_refused(
    keyset: KeySet, verifier: TokenVerifier, sign: Sign, claims: Claims
) -> None:
    token = sign(claims(aud="some-other-system"), keyset.current)

    assert _reason(verifier, token) == "wrong_audience"


def test_token_from_another_issuer_is_refused(
    keyset: KeySet, verifier: TokenVerifier, sign: Sign, claims: Claims
) -> None:
    token = sign(claims(iss="https://evil.example"), keyset.current)

    assert _reason(verifier, token) == "wrong_issuer"


def test_token_without_expiry_is_refused(
    keyset: KeySet, verifier: TokenVerifier, sign: Sign, claims: Claims
) -> None:
    token = sign(claims(exp=None), keyset.current)

    assert _reason(verifier, token) == "invalid_claims"


def test_unsigned_alg_none_token_is_refused(
    keyset: KeySet,
    verifier: TokenVerifier,
    claims: Claims,
    unsigned_token: Callable[[dict[str, Any], dict[str, Any]], str],
) -> None:
    token = unsigned_token({"alg": "none", "kid": keyset.current.kid}, claims(roles=["admin"]))

    assert _reason(verifier, token) == "disallowed_algorithm"


def _hs256_with_public_key(keyset: KeySet, payload: dict[str, Any]) -> str:
    """The classic confusion attack: HMAC keyed with the (public) verification key."""
    public = keyset.current.private_key.public_key()
    secret = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    header = {"alg": "HS256", "kid": keyset.current.kid, "typ": "JWT"}

    def enc(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    signing_input = enc(json.dumps(header).encode()) + b"." + enc(json.dumps(payload).encode())
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + enc(signature)).decode()


def test_hs256_token_keyed_with_the_public_key_is_refused(
    keyset: KeySet, verifier: TokenVerifier, claims: Claims
) -> None:
    token = _hs256_with_public_key(keyset, claims(roles=["admin"]))

    assert _reason(verifier, token) == "disallowed_algorithm"


def test_hs256_confusion_fails_even_if_hs256_were_allowed(
    key_dir: Path, keyset: KeySet, claims: Claims
) -> None:
    lax = TokenVerifier(
        FileJwksSource(key_dir / "jwks.json"), ISSUER, AUDIENCE, algorithms=("EdDSA", "HS256")
    )

    token = _hs256_with_public_key(keyset, claims(roles=["admin"]))

    assert _reason(lax, token) == "disallowed_algorithm"


def test_rs256_token_of_an_rsa_issuer_verifies(tmp_path: Path, claims: Claims, sign: Sign) -> None:
    rsa_keys = ensure_dev_keys(tmp_path / "rsa", algorithm="RS256")
    verifier = TokenVerifier(FileJwksSource(tmp_path / "rsa" / "jwks.json"), ISSUER, AUDIENCE)

    principal = verifier.verify(sign(claims(sub="oidc-user"), rsa_keys.current))

    assert principal.subject == "oidc-user"


def test_garbage_is_refused_as_malformed(verifier: TokenVerifier) -> None:
    assert _reason(verifier, "not-a-jwt") == "malformed_token"


def test_sco_token_without_country_is_refused(
    keyset: KeySet, verifier: TokenVerifier, sign: Sign, claims: Claims
) -> None:
    token = sign(claims(roles=["sco"]), keyset.current)

    assert _reason(verifier, token) == "invalid_claims"


def test_token_with_a_malformed_country_is_refused(
    keyset: KeySet, verifier: TokenVerifier, sign: Sign, claims: Claims
) -> None:
    token = sign(claims(roles=["sco"], country="gt"), keyset.current)

    assert _reason(verifier, token) == "invalid_claims"


def test_issuer_refuses_an_sco_token_without_country(issuer: TokenIssuer) -> None:
    with pytest.raises(ValueError, match="country"):
        issuer.issue("sco-1", ["sco"])


def test_verified_token_is_answered_from_cache_after_its_key_left_the_jwks(
    key_dir: Path, issuer: TokenIssuer, verifier: TokenVerifier
) -> None:
    seen = issuer.issue("user-1", ["auditor"])
    unseen = issuer.issue("user-2", ["auditor"])
    verifier.verify(seen)
    (key_dir / "jwks.json").write_text(json.dumps({"keys": [_other_public_jwk()]}))

    principal = verifier.verify(seen)

    assert principal.subject == "user-1"
    assert _reason(verifier, unseen) == "unknown_kid"


def test_cache_forgets_the_least_recently_used_token_beyond_its_size(
    key_dir: Path, issuer: TokenIssuer
) -> None:
    verifier = TokenVerifier(FileJwksSource(key_dir / "jwks.json"), ISSUER, AUDIENCE, cache_size=1)
    first, second = issuer.issue("user-1", ["auditor"]), issuer.issue("user-2", ["auditor"])
    verifier.verify(first)
    verifier.verify(second)
    (key_dir / "jwks.json").write_text(json.dumps({"keys": [_other_public_jwk()]}))

    assert verifier.verify(second).subject == "user-2"
    assert _reason(verifier, first) == "unknown_kid"


def test_forgetting_a_client_drops_its_verified_tokens_and_keeps_the_others(
    key_dir: Path, issuer: TokenIssuer, verifier: TokenVerifier
) -> None:
    revoked = issuer.issue("imet_a", ["auditor"], client_id="imet_a")
    kept = issuer.issue("imet_b", ["auditor"], client_id="imet_b")
    verifier.verify(revoked)
    verifier.verify(kept)
    (key_dir / "jwks.json").write_text(json.dumps({"keys": [_other_public_jwk()]}))

    forgotten = verifier.forget_clients({"imet_a"})

    assert forgotten == 1
    assert _reason(verifier, revoked) == "unknown_kid"  # verified again, not from the cache
    assert verifier.verify(kept).client_id == "imet_b"


def test_cache_entry_is_gone_once_its_token_expired() -> None:
    cache = _VerifiedTokens(max_entries=10)
    cache.put(b"live", Principal(subject="a"), time.time() + 60)
    cache.put(b"dead", Principal(subject="b"), time.time() - 1)

    assert cache.get(b"live") == Principal(subject="a")
    assert cache.get(b"dead") is None


def _other_public_jwk() -> dict[str, Any]:
    return generate_key().public_jwk()
