"""Verifying the bearer JWTs every service and the gateway accept (issuing is the gateway's:
services/gateway/gateway/signing/).

Tokens are JWS (EdDSA by default; RS256 accepted for external OIDC issuers) with the claims
iss, aud, sub, iat, nbf, exp, jti, roles (list), and optionally country (ISO 3166-1 alpha-3),
client_id, scope; the header names the signing key (`kid`).

Verification invariants:
- The algorithm comes from an allow-list, never from the token alone: `none` and HS* are
  refused before a key is looked up, and a key verifies only its own algorithm (PyJWT checks
  that the header's alg equals the JWK's), so an RSA public key can never act as an HMAC secret.
- Keys are found only by `kid` in the configured JWKS; `jku`/`x5u` headers are ignored.
- A token that verified is cached (by SHA-256 of the token, bounded LRU) until its `exp` plus
  leeway: the gateway verifies every request. Consequence: removing a key from the JWKS does
  not revoke tokens already seen before they expire; keep token lifetimes short. Revoking a
  client is checked apart from the cache (the gateway's revocation list), which also drops
  the client's entries (`forget_clients`).
- Role `sco` is country-scoped: an sco token without a valid `country` claim is invalid.
- Several issuers can be trusted at once (the gateway's own, and an external OIDC issuer for
  people): a token is checked against the issuer its `iss` names, with THAT issuer's keys,
  audience and algorithms only. An unknown `iss` is refused before any key is looked up. An
  external issuer's roles are mapped from a configurable claim and limited to the human roles
  (never `service`); its tokens carry no `client_id` of ours.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from shared.auth.jwks import JwksSource
from shared.auth.principal import Principal, Role
from shared.contracts.types import COUNTRY_RE

DEFAULT_ALGORITHMS = ("EdDSA", "RS256")
_REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp")
# Asymmetric algorithms only: a JWKS holds public keys, never an HMAC secret.
_ASYMMETRIC = frozenset(
    {"EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
# Roles a person's token from an external issuer may carry (`service` is the system's own).
HUMAN_ROLES = frozenset(role.value for role in Role if role is not Role.SERVICE)

_DETAILS = {
    "missing_token": "The request carries no bearer token.",
    "malformed_token": "The bearer token is not a well-formed JWT.",
    "expired": "The token has expired.",
    "not_yet_valid": "The token is not valid yet.",
    "bad_signature": "The token signature does not verify.",
    "wrong_issuer": "The token was issued by an issuer this service does not trust.",
    "wrong_audience": "The token is meant for another audience.",
    "unknown_kid": "The token is signed by an unknown key.",
    "disallowed_algorithm": "The token's signing algorithm is not accepted.",
    "invalid_claims": "The token's claims are missing or malformed.",
    "revoked": "The client this token was issued to has been revoked.",
}

# Most specific first: several of these subclass DecodeError.
_PYJWT_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidAlgorithmError, "disallowed_algorithm"),
    (jwt.MissingRequiredClaimError, "invalid_claims"),
    (jwt.DecodeError, "malformed_token"),
)


class AuthError(Exception):
    """The request is not authenticated; `reason` is a stable slug (see `_DETAILS`)."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        self.reason = reason
        self.detail = detail or _DETAILS.get(reason, "The token is invalid.")
        super().__init__(f"{reason}: {self.detail}")


class _VerifiedTokens:
    """Bounded LRU of verified tokens: SHA-256(token) -> (principal, valid-until epoch)."""

    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[Principal, float]] = OrderedDict()
        # FastAPI runs sync dependencies in threads; OrderedDict reordering is not atomic.
        self._lock = threading.Lock()

    def get(self, digest: bytes) -> Principal | None:
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if entry[1] <= time.time():
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
            return entry[0]

    def forget(self, matches: Callable[[Principal], bool]) -> int:
        """Drop every entry whose principal `matches`; returns how many went."""
        with self._lock:
            gone = [digest for digest, (who, _) in self._entries.items() if matches(who)]
            for digest in gone:
                del self._entries[digest]
        return len(gone)

    def put(self, digest: bytes, principal: Principal, valid_until: float) -> None:
        with self._lock:
            self._entries[digest] = (principal, valid_until)
            self._entries.move_to_end(digest)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


@dataclass(frozen=True)
class TrustedIssuer:
    """One issuer a verifier accepts, with its own keys, audience, algorithms and claim names.

    `external=True` (an OIDC issuer for people): roles come from `roles_claim` (a list, or a
    space-separated string; dotted names reach into nested objects, e.g. `realm_access.roles`),
    unknown roles and `service` are dropped, and `client_id` is not taken from the token.
    """

    issuer: str
    audience: str
    jwks_source: JwksSource
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    roles_claim: str = "roles"
    country_claim: str = "country"
    external: bool = False
    required_claims: tuple[str, ...] = _REQUIRED_CLAIMS

    def __post_init__(self) -> None:
        unsafe = set(self.algorithms) - _ASYMMETRIC
        if unsafe and self.external:
            raise ValueError(f"issuer {self.issuer}: only asymmetric algorithms, not {unsafe}")


class TokenVerifier:
    """Turns a bearer token into a `Principal`, or raises `AuthError`.

    The first issuer (`jwks_source`, `issuer`, `audience`) is the system's own; `extra_issuers`
    are trusted beside it (an external OIDC issuer).
    """

    def __init__(
        self,
        jwks_source: JwksSource,
        issuer: str,
        audience: str,
        leeway_seconds: int = 30,
        algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS,
        cache_size: int = 10_000,
        *,
        extra_issuers: Iterable[TrustedIssuer] = (),
    ) -> None:
        self.jwks_source = jwks_source
        self.issuer = issuer
        self.audience = audience
        self.leeway_seconds = leeway_seconds
        self.algorithms = algorithms
        own = TrustedIssuer(issuer, audience, jwks_source, algorithms)
        self.issuers: dict[str, TrustedIssuer] = {issuer: own}
        for extra in extra_issuers:
            if extra.issuer in self.issuers:
                raise ValueError(f"issuer {extra.issuer!r} is configured twice")
            self.issuers[extra.issuer] = extra
        # Refused before anything else is parsed: `none`, HS* and whatever no issuer uses.
        self._any_algorithm = frozenset(a for i in self.issuers.values() for a in i.algorithms)
        self._verified = _VerifiedTokens(cache_size)

    def forget_clients(self, client_ids: Collection[str]) -> int:
        """Forget the verified tokens of these clients (they were revoked): the next use of
        such a token is verified again, and refused by whoever checks revocations."""
        if not client_ids:
            return 0
        return self._verified.forget(lambda principal: principal.client_id in client_ids)

    def verify(self, token: str) -> Principal:
        """Verify synchronously (a URL source may fetch its JWKS inline)."""
        digest = hashlib.sha256(token.encode()).digest()
        principal = self._verified.get(digest)
        if principal is not None:
            return principal
        trusted, kid = self._issuer_and_kid(token)
        key = trusted.jwks_source.cached_key(kid) or trusted.jwks_source.fetch_key(kid)
        return self._verify_with(token, digest, trusted, key)

    async def averify(self, token: str) -> Principal:
        """Verify without blocking the event loop: a JWKS fetch runs in a worker thread."""
        digest = hashlib.sha256(token.encode()).digest()
        principal = self._verified.get(digest)
        if principal is not None:
            return principal
        trusted, kid = self._issuer_and_kid(token)
        key = trusted.jwks_source.cached_key(kid)
        if key is None:
            key = await asyncio.to_thread(trusted.jwks_source.fetch_key, kid)
        return self._verify_with(token, digest, trusted, key)

    def _issuer_and_kid(self, token: str) -> tuple[TrustedIssuer, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthError("malformed_token") from exc
        algorithm = header.get("alg")
        if algorithm not in self._any_algorithm:
            raise AuthError("disallowed_algorithm")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise AuthError("malformed_token") from exc
        issuer = unverified.get("iss")
        if not isinstance(issuer, str):
            raise AuthError("invalid_claims", "The token names no issuer (iss).")
        trusted = self.issuers.get(issuer)
        if trusted is None:
            raise AuthError("wrong_issuer")
        if algorithm not in trusted.algorithms:
            raise AuthError("disallowed_algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("unknown_kid", "The token header names no key (kid).")
        return trusted, kid

    def _verify_with(
        self, token: str, digest: bytes, trusted: TrustedIssuer, key: jwt.PyJWK | None
    ) -> Principal:
        if key is None:
            raise AuthError("unknown_kid")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=list(trusted.algorithms),
                audience=trusted.audience,
                issuer=trusted.issuer,
                leeway=self.leeway_seconds,
                options={"require": list(trusted.required_claims)},
            )
        except jwt.PyJWTError as exc:
            reason = next((r for t, r in _PYJWT_REASONS if isinstance(exc, t)), "invalid_claims")
            raise AuthError(reason) from exc
        if trusted.external:
            principal = principal_from_external_claims(claims, trusted)
        else:
            principal = principal_from_claims(claims)
        self._verified.put(digest, principal, float(claims["exp"]) + self.leeway_seconds)
        return principal


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """The principal of verified claims; AuthError("invalid_claims") when they are malformed."""
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise AuthError("invalid_claims", "The roles claim must be a list of strings.")
    country = claims.get("country")
    if country is not None and not (isinstance(country, str) and COUNTRY_RE.match(country)):
        raise AuthError("invalid_claims", "The country claim must be ISO 3166-1 alpha-3.")
    if Role.SCO in roles and country is None:
        raise AuthError("invalid_claims", "Role sco requires a country claim.")
    client_id = claims.get("client_id")
    jti = claims.get("jti")
    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(roles),
        country=country,
        client_id=str(client_id) if client_id is not None else None,
        token_id=str(jti) if jti is not None else None,
    )


def principal_from_external_claims(claims: Mapping[str, Any], trusted: TrustedIssuer) -> Principal:
    """The principal of an external issuer's verified claims, mapped by its claim names."""
    raw_roles = _claim(claims, trusted.roles_claim)
    if raw_roles is None:
        raw_roles = []
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.split()
    if not isinstance(raw_roles, list) or not all(isinstance(role, str) for role in raw_roles):
        raise AuthError("invalid_claims", f"The {trusted.roles_claim} claim must list roles.")
    roles = sorted(HUMAN_ROLES.intersection(raw_roles))
    country = _claim(claims, trusted.country_claim)
    if isinstance(country, str):
        country = country.upper()
    mapped = {"sub": claims["sub"], "roles": roles, "country": country, "jti": claims.get("jti")}
    return principal_from_claims({k: v for k, v in mapped.items() if v is not None})


def _claim(claims: Mapping[str, Any], name: str) -> Any:
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value
