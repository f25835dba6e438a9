"""The aggregated OpenAPI document: the services' documents, fetched and kept fresh, merged with
the gateway's own routes.

Each service serves its document at `<base_url>/openapi.json`. The gateway fetches them all on
the first request for the document, then again once the copy is older than the TTL, or after a
few seconds while a service did not answer. Refreshes run in the background: readers get the
current copy meanwhile. A service that does not answer never breaks the document: its last
good copy is served and `info.x-upstreams` says so (`stale`), or its routes are missing and it
is marked `unavailable` until it answers.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from fastapi import FastAPI

from gateway.docs.gateway_spec import GLOBAL_SECURITY, SECURITY_SCHEMES, gateway_part
from gateway.docs.merge import SpecPart, limit_to_prefix, merge
from gateway.routing import Upstream
from shared.observability import get_logger

log = get_logger("gateway.docs")

OPENAPI_VERSION = "3.1.0"
DOCUMENT_VERSION = "1.0.0"
GROUPS = {
    "catalog": "Catalog",
    "nomination": "Nominations",
    "vetting": "Vetting",
    "funding": "Funding",
    "reporting": "Reports",
}
DESCRIPTION = """\
The IMET Pipeline's public API: the catalog, nomination, vetting, funding and reporting
services behind one gateway. Every route needs `Authorization: Bearer <token>` except the
health routes, the token endpoint and the key set. Agency systems get a token with OAuth 2.0
client credentials at `POST /api/v1/auth/token`.

Conventions: JSON in and out; errors are RFC 9457 `application/problem+json`; `Idempotency-Key`
on POSTs; `ETag` / `If-Match` on updates; cursor pagination (`?limit=&cursor=`); `X-Request-ID`
echoed. Events: [AsyncAPI](/asyncapi) ([JSON](/asyncapi.json))."""

Fetch = Callable[[str], Awaitable[dict[str, Any]]]


class SpecFetchError(RuntimeError):
    pass


def fetcher(timeout_seconds: float) -> Fetch:
    """GET a URL and return its JSON object, within `timeout_seconds` in all."""

    async def fetch(url: str) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        async with (
            aiohttp.ClientSession(timeout=timeout, trust_env=False) as session,
            session.get(url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status != 200:
                raise SpecFetchError(f"HTTP {response.status}")
            document = await response.json(content_type=None)
        if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
            raise SpecFetchError("not an OpenAPI document")
        if not str(document.get("openapi", "")).startswith("3."):
            raise SpecFetchError("not an OpenAPI 3 document")
        return document

    return fetch


@dataclass
class UpstreamSpec:
    """What the gateway knows of one service's document."""

    upstream: Upstream
    spec: dict[str, Any] | None = None
    fetched_at: datetime | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error is None and self.spec is not None:
            return "ok"
        return "stale" if self.spec is not None else "unavailable"

    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = {"status": self.status, "prefix": self.upstream.prefix}
        if self.fetched_at is not None:
            report["fetched_at"] = self.fetched_at.isoformat().replace("+00:00", "Z")
        if self.spec is not None:
            report["version"] = str(self.spec.get("info", {}).get("version", ""))
        if self.error is not None:
            report["error"] = self.error
        return report


@dataclass
class OpenApiAggregator:
    """Holds the services' last good documents and the merged document built from them."""

    app: FastAPI
    upstreams: list[Upstream]
    fetch: Fetch
    ttl_seconds: float = 60.0
    retry_seconds: float = 5.0
    clock: Callable[[], float] = time.monotonic
    specs: dict[str, UpstreamSpec] = field(init=False)
    _body: bytes | None = field(init=False, default=None)
    _expires_at: float = field(init=False, default=0.0)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _task: asyncio.Task[None] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.specs = {u.name: UpstreamSpec(u) for u in self.upstreams}

    async def body(self) -> bytes:
        """The merged document as JSON bytes: built on first use, refreshed after the TTL.

        A complete document past its TTL is served while a refresh runs in the background; one
        that lacks a service is refreshed before answering (at most the fetch timeout), so a
        reader never keeps getting a partial document that could already be whole."""
        if self._body is None:
            await self.refresh()
        elif self.clock() >= self._expires_at:
            if self.complete:
                self.refresh_in_background()
            else:
                await self.refresh_in_background()
        assert self._body is not None
        return self._body

    def refresh_in_background(self) -> asyncio.Task[None]:
        """Start a refresh unless one is running; returns the running one."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.refresh(), name="openapi-refresh")
        return self._task

    @property
    def complete(self) -> bool:
        """Every service's document was fetched on the last attempt."""
        return all(state.status == "ok" for state in self.specs.values())

    @property
    def pending_refresh(self) -> asyncio.Task[None] | None:
        """The background refresh still running, if any."""
        return self._task if self._task is not None and not self._task.done() else None

    async def refresh(self) -> None:
        """Fetch every service's document (concurrently) and rebuild the merged one."""
        async with self._lock:
            await asyncio.gather(*(self._fetch_one(s) for s in self.specs.values()))
            self._body = json.dumps(self.build(), separators=(",", ":")).encode()
            # A service that did not answer (still starting, restarting) is asked again soon.
            wait = self.ttl_seconds if self.complete else min(self.ttl_seconds, self.retry_seconds)
            self._expires_at = self.clock() + wait

    async def _fetch_one(self, state: UpstreamSpec) -> None:
        url = f"{state.upstream.base_url}/openapi.json"
        try:
            state.spec = await self.fetch(url)
        except (aiohttp.ClientError, TimeoutError, SpecFetchError, ValueError) as exc:
            state.error = str(exc) if isinstance(exc, SpecFetchError) else type(exc).__name__
            log.warning(
                "docs.upstream_spec_unavailable",
                upstream=state.upstream.name,
                error=state.error,
                serving=state.status,
            )
        else:
            state.fetched_at = datetime.now(UTC)
            state.error = None

    def build(self) -> dict[str, Any]:
        """The merged document from what is known now (no I/O)."""
        parts = [
            SpecPart(
                name=state.upstream.name,
                group=GROUPS.get(state.upstream.name, state.upstream.name.capitalize()),
                spec=limit_to_prefix(state.spec, state.upstream.prefix),
                public_paths=state.upstream.public_paths,
            )
            for state in self.specs.values()
            if state.spec is not None
        ]
        parts.append(gateway_part(self.app))
        base = {
            "openapi": OPENAPI_VERSION,
            "info": {
                "title": "IMET Pipeline API",
                "version": DOCUMENT_VERSION,
                "description": DESCRIPTION,
                "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
                "x-upstreams": {name: s.report() for name, s in self.specs.items()},
            },
            "servers": [{"url": "/", "description": "This gateway"}],
            "security": GLOBAL_SECURITY,
            "components": {"securitySchemes": SECURITY_SCHEMES},
        }
        return merge(parts, base)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
