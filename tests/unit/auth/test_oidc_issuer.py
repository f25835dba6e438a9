"""An external OIDC issuer for people, trusted beside the gateway's own issuer.

The external issuer is a locally generated RS256 key set served over HTTP (as an identity
provider's JWKS would be); its tokens name roles and country in their own claims.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import KeySet, SigningKey, ensure_dev_keys, generate_key
from shared.auth.configured import verifier_from_settings
from shared.auth.jwks import FileJwksSource, UrlJwksSource
from shared.auth.tokens import AuthError, TokenVerifier, TrustedIssuer
from shared.settings import PlatformSettings

ISSUER = "imet-test-issuer"  # the own issuer of the conftest's `issuer` and `keyset`
AUDIENCE = "imet-pipeline"
IDP = "https://login.agency.example/realms/imet"
IDP_AUDIENCE = "imet-api"


@pytest.fixture
def idp_keys() -> KeySet:
    return KeySet((generate_key("RS256"),))


@pytest.fixture
def idp(jwks_server: Any, idp_keys: KeySet) -> TrustedIssuer:
    jwks_server.document = idp_keys.public_jwks()
    return TrustedIssuer(
        IDP, IDP_AUDIENCE, UrlJwksSource(jwks_server.url), algorithms=("RS256",),
        roles_claim="realm_access.roles", country_claim="imet_country", external=True,
        required_claims=("iss", "aud", "sub", "exp"),
    )  # fmt: skip


@pytest.fixture
def both(key_dir: Path, keyset: KeySet, idp: TrustedIssuer) -> TokenVerifier:
    return TokenVerifier(FileJwksSource(key_dir / "jwks.json"), ISSUER, AUDIENCE,
                         leeway_seconds=0, extra_issuers=[idp])  # fmt: skip


def _person(key: SigningKey, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": IDP, "aud": IDP_AUDIENCE, "sub": "f3a9-person", "iat": now,
               "exp": now + 300, "realm_access": {"roles": ["sco", "offline_access"]},
               "imet_country": "col"}  # fmt: skip
    payload.update(claims)
    return jwt.encode(payload, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})


def test_a_persons_token_from_the_external_issuer_maps_its_roles_and_country(
    both: TokenVerifier, idp_keys: KeySet
) -> None:
    principal = both.verify(_person(idp_keys.current, jti="p-1"))

    assert principal.subject == "f3a9-person"
    assert principal.roles == frozenset({"sco"})
    assert principal.country == "COL"
    assert principal.client_id is None


def test_the_gateways_own_tokens_still_verify_beside_the_external_issuer(
    both: TokenVerifier, issuer: TokenIssuer
) -> None:
    principal = both.verify(issuer.issue("imet_agency", ["auditor"], client_id="imet_agency"))

    assert principal.client_id == "imet_agency"


def test_a_token_from_an_unknown_issuer_is_refused(both: TokenVerifier) -> None:
    stranger = generate_key("RS256")

    with pytest.raises(AuthError) as refused:
        both.verify(_person(stranger, iss="https://other-idp.example"))

    assert refused.value.reason == "wrong_issuer"


def test_a_key_of_the_own_issuer_never_verifies_a_token_claiming_the_external_issuer(
    tmp_path: Path, idp: TrustedIssuer
) -> None:
    """Each issuer has its own key set: a known kid of one issuer is unknown to the other."""
    own_rsa = ensure_dev_keys(tmp_path / "rsa", algorithm="RS256")
    verifier = TokenVerifier(FileJwksSource(tmp_path / "rsa" / "jwks.json"), ISSUER, AUDIENCE,
                             extra_issuers=[idp])  # fmt: skip

    with pytest.raises(AuthError) as refused:
        verifier.verify(_person(own_rsa.current))

    assert refused.value.reason == "unknown_kid"


def test_the_external_issuer_cannot_grant_the_service_role(
    both: TokenVerifier, idp_keys: KeySet
) -> None:
    token = _person(idp_keys.current, realm_access={"roles": ["service", "auditor"]})

    assert both.verify(token).roles == frozenset({"auditor"})


def test_an_external_token_for_another_audience_is_refused(
    both: TokenVerifier, idp_keys: KeySet
) -> None:
    with pytest.raises(AuthError) as refused:
        both.verify(_person(idp_keys.current, aud="some-other-api"))

    assert refused.value.reason == "wrong_audience"


def test_an_external_sco_without_country_is_refused(both: TokenVerifier, idp_keys: KeySet) -> None:
    with pytest.raises(AuthError) as refused:
        both.verify(_person(idp_keys.current, imet_country=None))

    assert refused.value.reason == "invalid_claims"


async def test_settings_configure_the_external_issuer_beside_the_own_one(
    jwks_server: Any, idp_keys: KeySet, key_dir: Path, keyset: KeySet
) -> None:
    jwks_server.document = idp_keys.public_jwks()
    settings = PlatformSettings(
        auth_issuer=ISSUER, auth_audience=AUDIENCE, auth_jwks_file=key_dir / "jwks.json",
        auth_jwks_url=None, auth_oidc_issuer=IDP, auth_oidc_jwks_url=jwks_server.url,
        auth_oidc_audience=IDP_AUDIENCE, auth_oidc_roles_claim="realm_access.roles",
        auth_oidc_country_claim="imet_country",
    )  # fmt: skip

    verifier = verifier_from_settings(settings)
    principal = await verifier.averify(_person(idp_keys.current))

    assert set(verifier.issuers) == {ISSUER, IDP}
    assert (principal.roles, principal.country) == (frozenset({"sco"}), "COL")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"auth_oidc_issuer": IDP}, "go together"),
        ({"auth_oidc_issuer": "imet-dev", "auth_oidc_jwks_url": "https://idp/jwks"}, "differ"),
        ({"imet_env": "production", "auth_jwks_url": "http://gateway:8000/.well-known/jwks.json",
          "auth_oidc_issuer": IDP, "auth_oidc_jwks_url": "http://idp/jwks"}, "https"),
    ],
)  # fmt: skip
def test_inconsistent_oidc_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PlatformSettings(auth_issuer="imet-dev", **settings)


def test_an_external_issuer_may_not_use_an_hmac_algorithm() -> None:
    with pytest.raises(ValueError, match="asymmetric"):
        TrustedIssuer(IDP, IDP_AUDIENCE, UrlJwksSource("https://idp/jwks"), algorithms=("HS256",),
                      external=True)  # fmt: skip
