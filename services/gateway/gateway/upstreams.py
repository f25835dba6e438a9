"""One pooled aiohttp session per upstream, opened and closed with the gateway's lifespan.

Why aiohttp and not httpx here: on this hardware plain `httpx.AsyncClient` proxies at ~0.05x of
direct speed under concurrency while aiohttp reaches ~0.86x (docs/adr/0002-gateway-proxy-path.md).

Sessions are configured as a transparent proxy: no cookie jar (one client's cookies must never
reach another's requests), no automatic decompression (bodies pass through byte for byte), no
default headers, no redirects followed, no proxy settings from the environment, and no retries
of aiohttp's own (the proxy's retry policy is the only one).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from gateway.routing import RouteTable, Upstream
from gateway.settings import GatewaySettings
from shared.tracing import aiohttp_trace_configs

_NO_DEFAULT_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class UpstreamPool:
    """The upstream sessions; `sessions` is filled by `open()` and emptied by `close()`."""

    def __init__(self, table: RouteTable, settings: GatewaySettings) -> None:
        self.table = table
        self.settings = settings
        self.sessions: dict[str, aiohttp.ClientSession] = {}

    async def open(self) -> None:
        for upstream in self.table.upstreams:
            self.sessions[upstream.name] = self._new_session()

    async def close(self) -> None:
        sessions, self.sessions = self.sessions, {}
        await asyncio.gather(*(session.close() for session in sessions.values()))

    def _new_session(self) -> aiohttp.ClientSession:
        settings = self.settings
        connector = aiohttp.TCPConnector(
            limit=settings.pool_size,
            limit_per_host=0,
            keepalive_timeout=settings.upstream_keepalive_seconds,
            ttl_dns_cache=300,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            # sock_read bounds each wait for upstream bytes, so a slow stream that keeps
            # moving is fine and a stalled one ends in a 504; no total limit for streams.
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=settings.connect_timeout_seconds,
                sock_read=settings.read_timeout_seconds,
            ),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            skip_auto_headers=_NO_DEFAULT_HEADERS,
            trust_env=False,
            # Tracing on: a client span per upstream call, its context in `traceparent`.
            trace_configs=aiohttp_trace_configs() or None,
        )
        # aiohttp would itself resend a GET/HEAD/OPTIONS/TRACE/PUT/DELETE whose pooled
        # connection failed; the proxy decides alone (proxy.py: safe methods and requests with
        # an Idempotency-Key, once). No public switch: aiohttp's own test client does the same.
        session._retry_connection = False
        return session

    async def readiness(self) -> dict[str, dict[str, Any]]:
        """Each upstream's `<prefix>/readyz`, probed concurrently within the readiness timeout."""
        results = await asyncio.gather(*(self._probe(u) for u in self.table.upstreams))
        return dict(zip((u.name for u in self.table.upstreams), results, strict=True))

    async def _probe(self, upstream: Upstream) -> dict[str, Any]:
        session = self.sessions.get(upstream.name)
        if session is None:
            return {"ready": False, "error": "gateway not started"}
        timeout = aiohttp.ClientTimeout(total=self.settings.readiness_timeout_seconds)
        try:
            async with session.get(upstream.readyz_url, timeout=timeout) as response:
                await response.read()
                return {"ready": response.status == 200, "status": response.status}
        except TimeoutError:
            return {"ready": False, "error": "timeout"}
        except aiohttp.ClientError as exc:
            return {"ready": False, "error": type(exc).__name__}
