"""The composed gateway: one raw ASGI callable in front of everything.

Dispatch:
- `lifespan`: opens the upstream sessions and the token verifier; closes them on shutdown.
- HTTP under a proxied prefix (`routing.py`): request id and traceparent, then the proxy steps
  (authentication first; a rate limiter would follow), then `Proxy.forward`. No framework
  runs on this path: it is what every API call pays (docs/adr/0002-gateway-proxy-path.md).
- Anything else (websocket included): the gateway's own FastAPI app (`admin.py`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from starlette.types import Receive, Scope, Send

from gateway.admin import create_admin_app
from gateway.headers import new_request_id, read_request_headers, valid_request_id
from gateway.metrics import PROXY_METRICS
from gateway.problems import send_problem
from gateway.proxy import Exchange, Proxy, ProxyStep
from gateway.routing import Upstream, route_table
from gateway.settings import GatewaySettings
from gateway.steps import Authenticate
from gateway.upstreams import UpstreamPool
from shared.auth.keys import ensure_dev_keys
from shared.auth.tokens import TokenVerifier, verifier_from_settings
from shared.http.problems import ProblemException
from shared.observability import child_traceparent, get_logger, request_id_var, traceparent_var

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
        self.proxy = Proxy(self.pool, settings.max_body_bytes)
        self.admin = create_admin_app(self.pool)
        self.verifier = verifier
        self._extra_steps = tuple(extra_steps)
        self._steps: tuple[ProxyStep, ...] = (_not_started,)
        self._metrics = {u.name: PROXY_METRICS.for_upstream(u.name) for u in self.routes.upstreams}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            upstream = self.routes.match(scope["path"])
            if upstream is not None:
                await self._proxy(scope, receive, send, upstream)
                return
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.admin(scope, receive, send)

    async def _proxy(self, scope: Scope, receive: Receive, send: Send, upstream: Upstream) -> None:
        started = time.perf_counter()
        headers = read_request_headers(scope["headers"])
        request_id = valid_request_id(headers.request_id) or new_request_id()
        traceparent = child_traceparent(headers.traceparent)
        rid_token = request_id_var.set(request_id)
        tp_token = traceparent_var.set(traceparent)
        path = scope["path"]
        # Public only when the path is exactly a health path with nothing percent-encoded in
        # it, so an encoded trick cannot make the service see a different path than we checked.
        public = path in upstream.public_paths and scope.get("raw_path", b"") == path.encode()
        exchange = Exchange(scope, receive, upstream, headers, request_id, traceparent, public)
        status = 500
        try:
            for step in self._steps:
                await step(exchange)
            status = await self.proxy.forward(exchange, send)
        except ProblemException as problem:
            if exchange.response_started:
                raise
            status = problem.status
            await send_problem(send, problem, instance=path, request_id=request_id)
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
        self.admin.state.verifier = self.verifier
        self._steps = (Authenticate(self.verifier), *self._extra_steps)
        await self.pool.open()
        log.info("gateway.started", upstreams={u.name: u.base_url for u in self.routes.upstreams})

    async def stop(self) -> None:
        await self.pool.close()
        log.info("gateway.stopped")

    def _verifier_from_settings(self) -> TokenVerifier:
        platform = self.settings.platform
        key_dir = self.settings.key_dir
        if not (platform.auth_jwks_url or platform.auth_jwks_file):
            # Dev and test only (production refuses to start without AUTH_JWKS_*): the dev key
            # directory is the issuer, so make sure it has a key and a published JWKS.
            ensure_dev_keys(key_dir)
        return verifier_from_settings(platform, fallback_jwks_file=key_dir / "jwks.json")


def create_app(
    settings: GatewaySettings | None = None,
    *,
    verifier: TokenVerifier | None = None,
    extra_steps: Sequence[ProxyStep] = (),
) -> GatewayApp:
    """The gateway app; settings from the environment (GATEWAY_*) when not given."""
    return GatewayApp(settings or GatewaySettings(), verifier=verifier, extra_steps=extra_steps)
