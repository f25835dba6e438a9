"""The verifier the platform settings describe: the gateway's JWKS (file or URL) and, when
configured, an external OIDC issuer for people (AUTH_OIDC_*)."""

from __future__ import annotations

from pathlib import Path

from shared.auth.jwks import FileJwksSource, JwksSource, UrlJwksSource
from shared.auth.tokens import TokenVerifier, TrustedIssuer
from shared.settings import PlatformSettings


def verifier_from_settings(
    settings: PlatformSettings, *, fallback_jwks_file: Path | None = None, cache_size: int = 10_000
) -> TokenVerifier:
    """The verifier configured by AUTH_JWKS_URL (preferred) or AUTH_JWKS_FILE.

    `fallback_jwks_file` (e.g. `var/keys/jwks.json` in dev) is used when neither is set;
    without it that is a configuration error.
    """
    source: JwksSource
    jwks_file = settings.auth_jwks_file or fallback_jwks_file
    if settings.auth_jwks_url:
        source = UrlJwksSource(settings.auth_jwks_url)
    elif jwks_file is not None:
        source = FileJwksSource(jwks_file)
    else:
        raise ValueError("set AUTH_JWKS_URL or AUTH_JWKS_FILE to verify bearer tokens")
    return TokenVerifier(
        source,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        leeway_seconds=settings.auth_leeway_seconds,
        cache_size=cache_size,
        extra_issuers=oidc_issuers(settings),
    )


def oidc_issuers(settings: PlatformSettings) -> list[TrustedIssuer]:
    """The external OIDC issuer of AUTH_OIDC_* (none when AUTH_OIDC_ISSUER is unset)."""
    if not (settings.auth_oidc_issuer and settings.auth_oidc_jwks_url):
        return []
    algorithms = tuple(a.strip() for a in settings.auth_oidc_algorithms.split(",") if a.strip())
    return [
        TrustedIssuer(
            issuer=settings.auth_oidc_issuer,
            audience=settings.auth_oidc_audience or settings.auth_audience,
            jwks_source=UrlJwksSource(settings.auth_oidc_jwks_url),
            algorithms=algorithms,
            roles_claim=settings.auth_oidc_roles_claim,
            country_claim=settings.auth_oidc_country_claim,
            external=True,
            required_claims=("iss", "aud", "sub", "exp"),
        )
    ]
