"""The composed gateway: one raw ASGI callable in front of everything.

Dispatch:
- `lifespan`: opens the upstream sessions, the token verifier, the token issuer (signing
  keys, client registrations) and the revocation list of those clients; closes them on
  shutdown.
- A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method), any path: answered
  by the edge (`edge.py`), unauthenticated, never forwarded.
- HTTP under a proxied prefix (`routing.py`): request id and traceparent, then the proxy steps
  (authentication, then the per-caller rate limit), then `Proxy.forward`. No framework
  runs on this path: it is what every API call pays (docs/adr/0002-gateway-proxy-path.md).
- Anything else (websocket included): the gateway's own FastAPI app (`/healthz` of
  `admin.py`, the token endpoint, JWKS and discovery of `oauth.py`, the admins' dead-letter
  routes of `ops_dlq.py` (they authenticate themselves), the ops dashboard's pages under
  `/ops` (`ops_dashboard/`: a login form and a session cookie of their own), and the aggregated
  OpenAPI / AsyncAPI documents and their pages of `docs/`), its answers completed by the edge.
- Readiness and metrics are NOT on this port: `admin_listener` serves them on the admin port
  (`python -m gateway` runs both listeners; docs/adr/0055).
- Every HTTP answer carries the edge's security headers (and CORS headers for an allowed
  origin).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from starlette.types import Receive, Scope, Send

from gateway.admin import create_admin_listener, create_own_app
from gateway.docs import mount_docs
from gateway.edge import Edge, header_value
from gateway.headers import new_request_id, read_request_headers, valid_request_id
from gateway.metrics import PROXY_METRICS
from gateway.oauth import AuthServer, install_auth_routes
from gateway.ops_dashboard import install_ops_dashboard
from gateway.ops_dlq import install_dlq_routes
from gateway.problems import send_problem
from gateway.proxy import Exchange, Proxy, ProxyStep
from gateway.ratelimit import RateLimit, RateLimiter
from gateway.revocations import RevocationList
from gateway.routing import Upstream, route_table
from gateway.settings import GatewaySettings
from gateway.signing.keys import ensure_dev_keys
from gateway.steps import Authenticate
from gateway.upstreams import UpstreamPool
from shared.auth.configured import verifier_from_settings
from shared.auth.tokens import TokenVerifier
from shared.http.problems import ProblemException
from shared.observability import (
    child_traceparent,
    get_logger,
    parse_traceparent,
    request_id_var,
    traceparent_var,
)
from shared.tracing import current_traceparent

log = get_logger("gateway")


async def _not_started(_: Exchange) -> None:
    """The only step until the lifespan started: fail closed, never forward unauthenticated."""
    raise ProblemException(503, "unavailable", "Service unavailable", "The gateway is starting.")


class GatewayApp:
    """The ASGI application `python -m gateway` serves. It needs the lifespan protocol."""

    def __init__(
        self,
        settings: GatewaySettings,
        *,
        verifier: TokenVerifier | None = None,
        extra_steps: Sequence[ProxyStep] = (),
    ) -> None:
        self.settings = settings
        self.routes = route_table(settings)
        self.pool = UpstreamPool(self.routes, settings)
        self.edge = Edge(settings)
        self.proxy = Proxy(self.pool, settings.max_body_bytes, owned_headers=self.edge.owned)
        self.own_app = create_own_app(self.pool)
        self.auth = AuthServer(settings)
        install_auth_routes(self.own_app, self.auth)
        dlq = install_dlq_routes(self.own_app, settings.platform, lambda: self.auth.store)
        # The operations dashboard (`/ops`, ADR 0100): HTML pages with their own login.
        install_ops_dashboard(self.own_app, self.auth, self.pool, dlq)
        self.docs = mount_docs(self.own_app, settings)
        self._own = self.edge.wrap(self.own_app)
        # Served on the admin port by `python -m gateway` (readiness details and metrics).
        self.admin_listener = create_admin_listener(self.pool, lambda: self.started)
        self.verifier = verifier
        self._rate_limit = (
            [RateLimit(RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst))]
            if settings.rate_limit_per_second > 0
            else []
        )
        self._extra_steps = tuple(extra_steps)
        self._steps: tuple[ProxyStep, ...] = (_not_started,)
        self.revocations: RevocationList | None = None
        self.started = False
        self._metrics = {u.name: PROXY_METRICS.for_upstream(u.name) for u in self.routes.upstreams}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope["method"] == "OPTIONS":
                origin = _preflight_origin(scope)
                if origin is not None:
                    await self.edge.preflight(scope, send, origin)
                    return
            upstream = self.routes.match(scope["path"])
            if upstream is not None:
                await self._proxy(scope, receive, send, upstream)
                return
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self._own(scope, receive, send)

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, upstream: Upstream) -> None:
        started = time.perf_counter()
        headers = read_request_headers(scope["headers"])
        request_id = valid_request_id(headers.request_id) or new_request_id()
        # Tracing on: the server span's (wrap_asgi), and the client span's upstream.
        traceparent = current_traceparent() or child_traceparent(headers.traceparent)
        if headers.tracestate is not None and parse_traceparent(headers.traceparent) is None:
            headers.tracestate = None  # it belongs to a trace we do not continue
        rid_token = request_id_var.set(request_id)
        tp_token = traceparent_var.set(traceparent)
        path = scope["path"]
        # Public only when the path is exactly a health path with nothing percent-encoded in
        # it, so an encoded trick cannot make the service see a different path than we checked.
        public = path in upstream.public_paths and scope.get("raw_path", b"") == path.encode()
        exchange = Exchange(scope, receive, upstream, headers, request_id, traceparent, public)
        exchange.edge_headers = (
            self.edge.api_headers
            if headers.origin is None
            else self.edge.api_response_headers(headers.origin)
        )
        status = 500
        try:
            for step in self._steps:
                await step(exchange)
            status = await self.proxy.forward(exchange, send)
        except ProblemException as problem:
            if exchange.response_started:
                raise
            status = problem.status
            await send_problem(send, problem, instance=path, request_id=request_id,
                               extra=exchange.edge_headers)  # fmt: skip
        finally:
            self._metrics[upstream.name].observe(status, time.perf_counter() - started)
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        try:
            await self.start()
        except Exception as exc:
            log.error("gateway.startup_failed", error=f"{type(exc).__name__}: {exc}")
            await send({"type": "lifespan.startup.failed", "message": str(exc)})
            return
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
        await self.stop()
        await send({"type": "lifespan.shutdown.complete"})

    async def start(self) -> None:
        if self.verifier is None:
            self.verifier = self._verifier_from_settings()
        self.own_app.state.verifier = self.verifier
        await self.auth.start()
        if self.auth.store is not None:
            # The clients live in this gateway's schema: their revocations apply at once.
            self.revocations = RevocationList(
                self.auth.store.revoked_ids,
                refresh_seconds=self.settings.revocation_refresh_seconds,
                on_revoked=self.verifier.forget_clients,
            )
            await self.revocations.start()
        self.own_app.state.revocations = self.revocations
        authenticate = Authenticate(self.verifier, self.revocations)
        self._steps = (authenticate, *self._rate_limit, *self._extra_steps)
        await self.pool.open()
        self.docs.openapi.refresh_in_background()
        self.started = True
        log.info("gateway.started", upstreams={u.name: u.base_url for u in self.routes.upstreams})

    async def stop(self) -> None:
        self.started = False
        await self.docs.openapi.aclose()
        await self.pool.close()
        if self.revocations is not None:
            await self.revocations.stop()
        await self.auth.stop()
        log.info("gateway.stopped")

    def _verifier_from_settings(self) -> TokenVerifier:
        platform = self.settings.platform
        key_dir = self.settings.key_dir
        if not (platform.auth_jwks_url or platform.auth_jwks_file):
            # Dev and test only (production refuses to start without AUTH_JWKS_*): the dev key
            # directory is the issuer, so make sure it has a key and a published JWKS.
            ensure_dev_keys(key_dir)
        return verifier_from_settings(platform, fallback_jwks_file=key_dir / "jwks.json")


def _preflight_origin(scope: Scope) -> str | None:
    """The Origin of a CORS preflight; None for any other OPTIONS request."""
    raw = scope["headers"]
    if header_value(raw, b"access-control-request-method") is None:
        return None
    return header_value(raw, b"origin")


def create_app(
    settings: GatewaySettings | None = None,
    *,
    verifier: TokenVerifier | None = None,
    extra_steps: Sequence[ProxyStep] = (),
) -> GatewayApp:
    """The gateway app; settings from the environment (GATEWAY_*) when not given."""
    return GatewayApp(settings or GatewaySettings(), verifier=verifier, extra_steps=extra_steps)
