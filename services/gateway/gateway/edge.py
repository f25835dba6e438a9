"""What every gateway response carries for browsers: security headers and CORS.

- Security headers (settings `GATEWAY_SECURITY_HEADERS`, `..._HSTS_MAX_AGE_SECONDS`, ...):
  `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`,
  `Strict-Transport-Security` when configured, a Content-Security-Policy (a locked-down one
  for API answers, one that lets the docs pages load their scripts for HTML), and
  `Cache-Control: no-store` on API answers. On proxied answers the gateway's values replace a
  service's (the edge owns the policy); the gateway's own routes keep a value they set
  themselves (the JWKS is cacheable).
- CORS: only origins listed in `GATEWAY_CORS_ALLOWED_ORIGINS` (none by default) get
  `Access-Control-Allow-Origin`. A preflight (OPTIONS with Origin and
  Access-Control-Request-Method) is answered here, without authentication and without
  reaching a service: 204 for an allowed origin, 403 otherwise.

Hot path cost: the header lists are built once; a proxied answer without an Origin header gets
the same pre-encoded list appended, with no per-request allocation beyond the append.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.headers import new_request_id
from gateway.problems import send_problem
from gateway.settings import GatewaySettings
from shared.http.problems import ProblemException

Header = tuple[bytes, bytes]
ALLOWED_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_REQUEST_HEADERS = (
    b"authorization, content-type, idempotency-key, if-match, if-none-match, x-request-id, "
    b"traceparent"
)
EXPOSED_HEADERS = b"etag, location, retry-after, x-request-id, www-authenticate"
_CORS_NAMES = frozenset(
    {b"access-control-allow-origin", b"access-control-allow-credentials",
     b"access-control-expose-headers", b"access-control-allow-methods",
     b"access-control-allow-headers", b"access-control-max-age"}
)  # fmt: skip


class Edge:
    def __init__(self, settings: GatewaySettings) -> None:
        security: list[Header] = []
        if settings.security_headers:
            security += [
                (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"no-referrer"),
                (b"x-frame-options", b"DENY"),
            ]
            if settings.hsts_max_age_seconds:
                value = f"max-age={settings.hsts_max_age_seconds}; includeSubDomains"
                security.append((b"strict-transport-security", value.encode()))
        api = list(security)
        page = list(security)
        if settings.security_headers and settings.api_content_security_policy:
            api.append((b"content-security-policy", settings.api_content_security_policy.encode()))
        if settings.security_headers and settings.docs_content_security_policy:
            csp = settings.docs_content_security_policy.encode()
            page.append((b"content-security-policy", csp))
        if settings.api_cache_control:
            api.append((b"cache-control", settings.api_cache_control.encode()))
        self.api_headers: list[Header] = api
        self.page_headers: list[Header] = page
        # Response headers of a service that the gateway's policy replaces.
        self.owned: frozenset[bytes] = frozenset(name for name, _ in api) | _CORS_NAMES
        origins = settings.cors_allowed_origins
        self.any_origin = "*" in origins
        self.origins = frozenset(origins)
        self.credentials = settings.cors_allow_credentials and not self.any_origin
        self.max_age = str(settings.cors_max_age_seconds).encode()

    # --- CORS ---------------------------------------------------------------------------

    def allows(self, origin: str) -> bool:
        return self.any_origin or origin in self.origins

    def cors_headers(self, origin: str | None) -> list[Header]:
        """Headers of an actual (non-preflight) answer to `origin`; none when not allowed."""
        if origin is None or not self.allows(origin):
            return []
        allowed = b"*" if self.any_origin else origin.encode("latin-1")
        headers = [(b"access-control-allow-origin", allowed),
                   (b"access-control-expose-headers", EXPOSED_HEADERS)]  # fmt: skip
        if not self.any_origin:
            headers.append((b"vary", b"origin"))
        if self.credentials:
            headers.append((b"access-control-allow-credentials", b"true"))
        return headers

    def api_response_headers(self, origin: str | None) -> list[Header]:
        """What a proxied answer gains. The shared list is returned as is: never mutate it."""
        if origin is None or not self.origins:
            return self.api_headers
        return self.api_headers + self.cors_headers(origin)

    async def preflight(self, scope: Scope, send: Send, origin: str) -> None:
        path = scope["path"]
        if not self.allows(origin):
            problem = ProblemException(
                403, "cors-origin-not-allowed", "Origin not allowed",
                "This origin may not call the API from a browser.",
            )  # fmt: skip
            await send_problem(send, problem, instance=path, request_id=new_request_id(),
                               extra=self.api_headers)  # fmt: skip
            return
        headers = [
            *self.cors_headers(origin),
            (b"access-control-allow-methods", ALLOWED_METHODS),
            (b"access-control-allow-headers", ALLOWED_REQUEST_HEADERS),
            (b"access-control-max-age", self.max_age),
            *self.api_headers,
        ]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    # --- the gateway's own routes ----------------------------------------------------------

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """The gateway's own app with the edge headers added to every HTTP answer."""

        async def edge_app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            cors = self.cors_headers(header_value(scope["headers"], b"origin"))

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    message = {**message, "headers": self._complete(headers, cors)}
                await send(message)

            await app(scope, receive, send_with_headers)

        return edge_app

    def _complete(self, headers: list[Header], cors: list[Header]) -> list[Header]:
        present = {name.lower() for name, _ in headers}
        html = any(
            name.lower() == b"content-type" and value.startswith(b"text/html")
            for name, value in headers
        )
        policy = self.page_headers if html else self.api_headers
        headers += [(name, value) for name, value in policy if name not in present]
        headers += cors
        return headers


def header_value(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> str | None:
    for name, value in headers:
        if name == wanted:
            return value.decode("latin-1")
    return None
