"""Checks that run on the proxy path before a request is forwarded (see `proxy.ProxyStep`).

They run in order and refuse by raising `ProblemException`; a later rate limiter is one more
step appended after authentication (so it can key on the principal).
"""

from __future__ import annotations

from gateway.proxy import Exchange
from gateway.revocations import RevocationList
from shared.auth.tokens import AuthError, TokenVerifier
from shared.http.auth import bearer_token, unauthorized


class Authenticate:
    """Every proxied request needs a valid bearer token, except the public health paths.

    Verified tokens are cached by the verifier, so a client reusing its token costs a hash and
    a dict lookup here, not a signature check. The revocation list (when the gateway has its
    client registrations) is checked after the cache, on every request: a revoked client's
    token is refused however recently it verified.
    """

    def __init__(self, verifier: TokenVerifier, revocations: RevocationList | None = None) -> None:
        self.verifier = verifier
        self.revocations = revocations

    async def __call__(self, exchange: Exchange) -> None:
        if exchange.public:
            return
        try:
            token = bearer_token(exchange.headers.authorization)
            principal = await self.verifier.averify(token)
            if self.revocations is not None:
                self.revocations.check(principal)
        except AuthError as exc:
            raise unauthorized(exc) from None
        exchange.principal = principal
