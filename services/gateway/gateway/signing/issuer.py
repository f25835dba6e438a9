"""Issuing the bearer JWTs that shared.auth.tokens verifies: the gateway's token endpoint, the
dev-token CLI and tests. Only the issuer holds private keys (gateway/signing/keys.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jwt

from gateway.signing.keys import SigningKey, ensure_dev_keys
from shared.auth.principal import Role
from shared.contracts.types import COUNTRY_RE


class TokenIssuer:
    """Signs tokens with one key (the gateway's token endpoint, the dev-token CLI, tests)."""

    def __init__(
        self, signing_key: SigningKey, issuer: str, audience: str, ttl_seconds: int = 3600
    ) -> None:
        self.signing_key = signing_key
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def issue(
        self,
        subject: str,
        roles: Iterable[str],
        country: str | None = None,
        client_id: str | None = None,
        scope: str | None = None,
        ttl: int | None = None,
    ) -> str:
        """A signed token; ValueError for a malformed country or an sco without a country."""
        role_list = sorted(set(roles))
        if country is not None and not COUNTRY_RE.match(country):
            raise ValueError(f"country must be ISO 3166-1 alpha-3 (e.g. GTM), got {country!r}")
        if Role.SCO in role_list and country is None:
            raise ValueError("role sco is country-scoped: give a country")
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + (ttl if ttl is not None else self.ttl_seconds),
            "jti": uuid.uuid4().hex,
            "roles": role_list,
        }
        optional = {"country": country, "client_id": client_id, "scope": scope}
        claims.update({name: value for name, value in optional.items() if value is not None})
        return jwt.encode(
            claims,
            self.signing_key.private_key,
            algorithm=self.signing_key.algorithm,
            headers={"kid": self.signing_key.kid},
        )


def issue_dev_token(
    key_dir: Path,
    role: str,
    country: str | None = None,
    ttl_seconds: int = 3600,
    *,
    issuer: str = "imet-dev",
    audience: str = "imet-pipeline",
    subject: str | None = None,
) -> str:
    """A token signed with the dev key of `key_dir` (created if missing): `imet dev-token`.

    `subject` names the user (default `dev-<role>[-<country>]`), so tests and demos can act as
    distinct people of the same role. ValueError for an unknown role, a malformed country,
    role sco without a country, or an empty subject.
    """
    valid_role = Role(role)
    if subject is not None and not subject.strip():
        raise ValueError("subject must not be empty")
    subject = subject or f"dev-{valid_role.value}" + (f"-{country.lower()}" if country else "")
    issuer_ = TokenIssuer(ensure_dev_keys(key_dir).current, issuer, audience, ttl_seconds)
    return issuer_.issue(subject, [valid_role.value], country=country, client_id="imet-dev-cli")
