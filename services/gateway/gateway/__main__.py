"""`python -m gateway`: serve the gateway with uvicorn (settings from GATEWAY_* variables).

Two listeners in one process and one event loop: the public door (`GATEWAY_HOST`:`GATEWAY_PORT`,
the gateway app with its lifespan) and the admin listener (`GATEWAY_ADMIN_HOST`:
`GATEWAY_ADMIN_PORT`: readiness and metrics, docs/adr/0055), run by `listeners.Listeners`.
"""

from __future__ import annotations

import asyncio
import gc
import sys

import uvicorn

from gateway.app import create_app
from gateway.listeners import Listeners
from gateway.settings import GatewaySettings
from shared.observability import configure_logging
from shared.tracing import configure_tracing, shutdown_tracing, wrap_asgi


def main() -> None:
    settings = GatewaySettings()
    platform = settings.platform
    configure_logging(level=platform.log_level, json_output=platform.log_json, service="gateway")
    configure_tracing("gateway")
    app = create_app(settings)
    # The proxy path allocates many short-lived objects and almost no garbage cycles, but the
    # default thresholds ran a young collection every ~30 requests and full ones over every
    # object of every imported module (40-60 ms pauses: the p99 of a load test; ADR 0002).
    # Objects alive now live as long as the process: freeze them out of every collection, and
    # let cycles accumulate longer before a young collection.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    public = uvicorn.Config(
        wrap_asgi(app),
        host=settings.host,
        port=settings.port,
        lifespan="on",
        # Per-request access lines would cost more than the proxying itself; the metrics
        # count every request and errors are logged with their request id.
        access_log=False,
        log_config=None,
        timeout_keep_alive=int(settings.keep_alive_seconds),
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    admin = uvicorn.Config(
        app.admin_listener,
        host=settings.admin_host,
        port=settings.admin_port,
        lifespan="off",  # the public listener's lifespan opens what both use
        access_log=False,
        log_config=None,
        proxy_headers=False,
    )
    with asyncio.Runner(loop_factory=public.get_loop_factory()) as runner:
        clean = runner.run(Listeners(public, admin).run())
    shutdown_tracing()
    sys.exit(0 if clean else 1)


if __name__ == "__main__":
    main()
