"""FastAPI dependencies: who is calling (401) and may they (403).

Each service verifies the bearer token again even behind the gateway (defense in depth), with
the `TokenVerifier` its app put at `app.state.verifier` when it started. Answers follow
RFC 6750: 401 carries `WWW-Authenticate: Bearer ...` (with `error="invalid_token"` when a token
was sent but is not acceptable); 403 is for a valid caller without a fitting role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from shared.auth.principal import Principal, Role
from shared.auth.tokens import AuthError, TokenVerifier
from shared.http.problems import ProblemException

REALM = "imet-pipeline"


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header; AuthError otherwise."""
    if not authorization:
        raise AuthError("missing_token")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError("malformed_token", "The Authorization header is not 'Bearer <token>'.")
    return token


def challenge(error: AuthError) -> str:
    """The `WWW-Authenticate` value for a 401 (RFC 6750 section 3)."""
    if error.reason == "missing_token":
        # A request without credentials gets no error code (RFC 6750 3.1).
        return f'Bearer realm="{REALM}"'
    description = error.detail.replace('"', "'")
    return f'Bearer realm="{REALM}", error="invalid_token", error_description="{description}"'


def unauthorized(error: AuthError) -> ProblemException:
    return ProblemException(
        401,
        "unauthorized",
        "Authentication required",
        error.detail,
        headers={"WWW-Authenticate": challenge(error)},
        extra={"reason": error.reason},
    )


async def get_principal(request: Request) -> Principal:
    """The verified caller; 401 problem+json when the token is missing or not acceptable."""
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return await verifier.averify(bearer_token(request.headers.get("authorization")))
    except AuthError as exc:
        raise unauthorized(exc) from None


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that passes callers holding any of `roles` (admin always passes), else 403.

    Usage: `principal: Annotated[Principal, Depends(require_roles(Role.VETTER))]`.
    """
    if not roles:
        raise ValueError("require_roles needs at least one role")
    allowed = frozenset(roles) | {Role.ADMIN}
    wanted = ", ".join(sorted(str(role) for role in roles))

    async def _require(principal: CurrentPrincipal) -> Principal:
        if principal.roles.isdisjoint(allowed):
            raise ProblemException(
                403, "forbidden", "Forbidden", f"This action needs one of the roles: {wanted}."
            )
        return principal

    return _require
