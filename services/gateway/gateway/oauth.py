"""The gateway as token issuer: OAuth2 client credentials (RFC 6749 section 4.4), its JWKS and
its discovery document.

- `POST /api/v1/auth/token`: `grant_type=client_credentials`, client authenticated by HTTP
  Basic (`client_secret_basic`) or by `client_id` + `client_secret` in the form
  (`client_secret_post`), never both; optional `scope`. Success is RFC 6749 section 5.1 JSON,
  errors are section 5.2 JSON (`error`, `error_description`); both `Cache-Control: no-store`.
  Every failure to authenticate the client is the same 401 `invalid_client`, whether the
  client is unknown, revoked or the secret wrong.
- Tokens: EdDSA JWTs signed with the CURRENT key of the gateway's key directory, re-read when
  it changes (rotation needs no restart); `iss`/`aud` are the platform's AUTH_ISSUER /
  AUTH_AUDIENCE, `sub` and `client_id` the client id, `roles`, `country`, `scope` from the
  registration; lifetime GATEWAY_TOKEN_TTL_SECONDS (15 min). A revoked client gets no new token;
  tokens it already holds expire on their own.
- `GET /.well-known/jwks.json`: every public key of the key directory (current, staged and
  previous), so tokens signed before a rotation keep verifying until they expire.
- Brute force and hashing cost are bounded by token buckets (`ratelimit.py`; 429
  problem+json with Retry-After): every request per remote address, failed attempts per
  client id. Someone who knows a client id can still use up its failure budget and make the
  client wait (Retry-After); the per-address bucket limits one source of such noise.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import JSONResponse, Response

from gateway.clients.model import granted_scopes
from gateway.clients.store import ClientStore
from gateway.ratelimit import RateLimiter, too_many_requests
from gateway.settings import GatewaySettings
from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import KeyDirectory, ensure_dev_keys
from shared.observability import get_logger

TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 - a path
JWKS_PATH = "/.well-known/jwks.json"
GRANT_TYPE = "client_credentials"
MAX_FORM_BYTES = 8 * 1024
MAX_CLIENT_ID = 64
MAX_SECRET = 256
CLIENT_ID_SHAPE = re.compile(r"imet_[0-9a-f]{20}")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
EXAMPLE_BASE = "https://imet-gateway.example.org"
EXAMPLE_CLIENT_ID = "imet_4f9c2e7a1b3d5c8e0f6a"
TOKEN_EXAMPLE = {
    "access_token": "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJpbWV0XzRmOWMyZTdhMWIzZDVjOGUwZjZhIn0.<signature>",
    "token_type": "Bearer",
    "expires_in": 900,
    "scope": "nominations",
}
JWKS_EXAMPLE = {
    "keys": [
        {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
         "kid": "a8j2fsxJDXRsJpfvQadFmbjYUFRdVaXG4rAdvJgoXeM",
         "x": "3y5fW8GML8uKcS27ZNN2nsnlqg0KklpOP44TTy743NU"},
        {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
         "kid": "wNFd7vR2XxEFKSpVRhOZ8P_hAEVtP4bZTS6C20i-XEc",
         "x": "elCUdPaW73VTWlroKO2txotswJP3GPxDmwwfK75ueZc"},
    ]
}  # fmt: skip
METADATA_EXAMPLE = {
    "issuer": EXAMPLE_BASE,
    "jwks_uri": EXAMPLE_BASE + JWKS_PATH,
    "token_endpoint": EXAMPLE_BASE + TOKEN_PATH,
    "grant_types_supported": [GRANT_TYPE],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
}
_BASIC_CHALLENGE = 'Basic realm="imet-pipeline", charset="UTF-8"'
log = get_logger("gateway.oauth")


class OAuthError(Exception):
    """An RFC 6749 section 5.2 error answer."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def response(self) -> Response:
        headers = dict(_NO_STORE)
        if self.status == 401:
            headers["WWW-Authenticate"] = _BASIC_CHALLENGE
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, headers=headers)


def _invalid_client() -> OAuthError:
    return OAuthError(401, "invalid_client", "Client authentication failed.")


class AuthServer:
    """Signing keys, client registrations and the token endpoint's rate limits."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.platform = settings.platform
        self.keys = KeyDirectory(settings.key_dir)
        self.store: ClientStore | None = None
        per_client = settings.token_requests_per_minute_per_client
        per_address = settings.token_requests_per_minute_per_address
        self.by_client = RateLimiter(per_client / 60, per_client)
        self.by_address = RateLimiter(per_address / 60, per_address)

    async def start(self) -> None:
        if self.settings.database_url is not None:
            if self.platform.imet_env != "production":
                ensure_dev_keys(self.settings.key_dir)  # reads only, unless there is no key
            # Issuing tokens without a key is a broken deployment: say so at start, not later.
            self.keys.keyset()
            self.store = ClientStore.from_url(
                self.settings.database_url.get_secret_value(),
                pool_size=self.settings.db_pool_size,
            )

    async def stop(self) -> None:
        if self.store is not None:
            await self.store.aclose()
            self.store = None

    def jwks(self) -> dict[str, Any]:
        try:
            return self.keys.keyset().public_jwks()
        except FileNotFoundError:
            return {"keys": []}

    def metadata(self, base_url: str) -> dict[str, Any]:
        base = (self.settings.public_url or base_url).rstrip("/")
        document: dict[str, Any] = {"issuer": self.platform.auth_issuer,
                                    "jwks_uri": base + JWKS_PATH}  # fmt: skip
        if self.settings.database_url is not None:
            document |= {
                "token_endpoint": base + TOKEN_PATH,
                "grant_types_supported": [GRANT_TYPE],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic", "client_secret_post",
                ],
            }  # fmt: skip
        return document

    async def token(
        self, form: dict[str, str], basic: tuple[str, str] | None, remote: str
    ) -> dict[str, Any]:
        """The section 5.1 answer; OAuthError or a 429 ProblemException otherwise."""
        wait = self.by_address.take(remote)
        if wait:
            raise too_many_requests(wait, "Too many token requests from this address.")
        if self.store is None:
            raise OAuthError(400, "unsupported_grant_type",
                             "Client credentials are not enabled on this gateway.")  # fmt: skip
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError(400, "invalid_request", "grant_type is required.")
        if grant_type != GRANT_TYPE:
            raise OAuthError(400, "unsupported_grant_type",
                             f"Only grant_type={GRANT_TYPE} is supported.")  # fmt: skip
        client_id, secret = _credentials(form, basic)
        # Failed attempts per client id: checked before any hashing, spent only on failure,
        # so a client that knows its secret never runs out because of its own requests.
        wait = self.by_client.wait_time(client_id)
        if wait:
            raise too_many_requests(wait, "Too many failed token requests for this client.")
        if len(client_id) > MAX_CLIENT_ID or len(secret) > MAX_SECRET:
            self.by_client.take(client_id)
            raise _invalid_client()
        client, reason = await self.store.authenticate(client_id, secret)
        if client is None:
            self.by_client.take(client_id)
            # The id is logged only when it looks like one (never a pasted secret).
            shown = client_id if CLIENT_ID_SHAPE.fullmatch(client_id) else "<malformed>"
            log.warning("oauth.client_authentication_failed", client_id=shown, reason=reason)
            raise _invalid_client()
        scopes = granted_scopes(client, form.get("scope"))
        if scopes is None:
            raise OAuthError(400, "invalid_scope", "A requested scope is not allowed.")
        key = self.keys.current
        ttl = self.settings.token_ttl_seconds
        issuer = TokenIssuer(key, self.platform.auth_issuer, self.platform.auth_audience, ttl)
        access_token = issuer.issue(
            client.client_id, client.roles, country=client.country, client_id=client.client_id,
            scope=" ".join(scopes) or None,
        )  # fmt: skip
        log.info("oauth.token_issued", client_id=client.client_id, kid=key.kid)
        answer: dict[str, Any] = {"access_token": access_token, "token_type": "Bearer",
                                  "expires_in": ttl}  # fmt: skip
        if scopes:
            answer["scope"] = " ".join(scopes)
        return answer


def _credentials(form: dict[str, str], basic: tuple[str, str] | None) -> tuple[str, str]:
    """(client_id, secret) from exactly one authentication method."""
    in_form = "client_secret" in form
    if basic is not None:
        if in_form:
            raise OAuthError(400, "invalid_request", "Use one client authentication method.")
        if "client_id" in form and form["client_id"] != basic[0]:
            raise OAuthError(400, "invalid_request", "client_id differs from the Basic one.")
        return basic
    if not in_form or not form.get("client_id"):
        raise _invalid_client()
    return form["client_id"], form["client_secret"]


def _basic(authorization: str | None) -> tuple[str, str] | None:
    """HTTP Basic client credentials, form-url-decoded (RFC 6749 section 2.3.1)."""
    if authorization is None:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise _invalid_client()
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _invalid_client() from None
    client_id, colon, secret = decoded.partition(":")
    if not colon or not client_id:
        raise _invalid_client()
    return unquote_plus(client_id), unquote_plus(secret)


async def _form(request: Request) -> dict[str, str]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise OAuthError(400, "invalid_request",
                         "Send the parameters as application/x-www-form-urlencoded.")  # fmt: skip
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise OAuthError(413, "invalid_request", "The request body is too large.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise OAuthError(400, "invalid_request", "The form is malformed.") from None
    form = dict(pairs)
    if len(form) != len(pairs):
        raise OAuthError(400, "invalid_request", "A parameter is repeated.")
    return form


def _token_openapi() -> dict[str, Any]:
    form = {
        "type": "object",
        "required": ["grant_type"],
        "properties": {
            "grant_type": {"type": "string", "enum": [GRANT_TYPE]},
            "scope": {"type": "string", "description": "Space-separated subset of the "
                      "client's allowed scopes (default: all of them)."},
            "client_id": {"type": "string", "description": "client_secret_post only"},
            "client_secret": {"type": "string", "description": "client_secret_post only"},
        },
    }  # fmt: skip
    error = {
        "type": "object",
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    }
    token = {
        "type": "object",
        "required": ["access_token", "token_type", "expires_in"],
        "properties": {
            "access_token": {"type": "string"},
            "token_type": {"type": "string", "enum": ["Bearer"]},
            "expires_in": {"type": "integer"},
            "scope": {"type": "string"},
        },
    }
    form_examples = {
        "client_secret_basic": {
            "summary": "Client authenticated by HTTP Basic (recommended)",
            "value": {"grant_type": GRANT_TYPE, "scope": "nominations"},
        },
        "client_secret_post": {
            "summary": "Client authenticated in the form",
            "value": {"grant_type": GRANT_TYPE, "client_id": EXAMPLE_CLIENT_ID,
                      "client_secret": "imet_secret_<shown once at registration>"},
        },
    }  # fmt: skip
    return {
        "requestBody": {"required": True,
                        "content": {"application/x-www-form-urlencoded": {
                            "schema": form, "examples": form_examples}}},
        "responses": {
            "200": {"description": "A bearer token",
                    "content": {"application/json": {"schema": token,
                                                     "example": TOKEN_EXAMPLE}}},
            "400": {"description": "invalid_request, unsupported_grant_type, invalid_scope",
                    "content": {"application/json": {"schema": error}}},
            "401": {"description": "invalid_client (unknown, revoked, or wrong secret)",
                    "content": {"application/json": {"schema": error}}},
            "429": {"description": "Too many token requests (problem+json, Retry-After)"},
        },
    }  # fmt: skip


def install_auth_routes(app: FastAPI, server: AuthServer) -> None:
    router = APIRouter(tags=["auth"])

    @router.post(TOKEN_PATH, openapi_extra=_token_openapi(), response_class=JSONResponse)
    async def token(request: Request) -> Response:
        """OAuth2 client credentials for agency systems: a short-lived bearer token.

        Authenticate with HTTP Basic (`client_id:client_secret`) or with `client_id` and
        `client_secret` in the form, never both.
        """
        try:
            basic = _basic(request.headers.get("authorization"))
            form = await _form(request)
            remote = request.client.host if request.client else "unknown"
            answer = await server.token(form, basic, remote)
        except OAuthError as error:
            return error.response()
        return JSONResponse(answer, headers=_NO_STORE)

    def example(value: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
        return {200: {"content": {"application/json": {"example": value}}}}

    @router.get(JWKS_PATH, responses=example(JWKS_EXAMPLE))
    async def jwks() -> Response:
        """The public keys that verify the gateway's tokens (current and previous)."""
        return JSONResponse(server.jwks(), headers={"Cache-Control": "public, max-age=300"})

    @router.get("/.well-known/openid-configuration", responses=example(METADATA_EXAMPLE))
    async def openid_configuration(request: Request) -> dict[str, Any]:
        """Discovery: issuer, JWKS and token endpoint (client credentials only)."""
        return server.metadata(str(request.base_url))

    @router.get("/.well-known/oauth-authorization-server", responses=example(METADATA_EXAMPLE))
    async def oauth_authorization_server(request: Request) -> dict[str, Any]:
        """RFC 8414 metadata: the same document as the OpenID discovery one."""
        return server.metadata(str(request.base_url))

    app.include_router(router)
