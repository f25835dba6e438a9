"""Hot paths we did NOT choose, served only to measure them beside the gateway.

`BENCH_PROXY_MODE=httpx`: a FastAPI catch-all route forwarding with one pooled
`httpx.AsyncClient`; `BENCH_PROXY_MODE=aiohttp`: the same route with one aiohttp session;
`BENCH_PROXY_MODE=raw`: the floor of the chosen design, a bare ASGI callable and one aiohttp
session with none of the gateway's work (no token, no headers forwarded, no ids, no metrics).
None authenticates: they show what the framework route, the client library and the gateway's
own features cost.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import httpx
from fastapi import FastAPI, Request, Response
from starlette.types import Receive, Scope, Send

UPSTREAM = os.environ["BENCH_UPSTREAM"]
MODE = os.environ["BENCH_PROXY_MODE"]
_DROP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


def _keep(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {k: v for k, v in headers if k.lower() not in _DROP}


def httpx_app() -> FastAPI:
    clients: dict[str, httpx.AsyncClient] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(base_url=UPSTREAM, limits=limits) as client:
            clients["upstream"] = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/{path:path}")
    async def forward(path: str, request: Request) -> Response:
        upstream = await clients["upstream"].get(
            "/" + path, params=request.query_params, headers=_keep(list(request.headers.items()))
        )
        return Response(
            upstream.content, upstream.status_code, _keep(list(upstream.headers.items()))
        )

    return app


def aiohttp_app() -> FastAPI:
    sessions: dict[str, aiohttp.ClientSession] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(limit=100)
        async with aiohttp.ClientSession(UPSTREAM, connector=connector) as session:
            sessions["upstream"] = session
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/{path:path}")
    async def forward(path: str, request: Request) -> Response:
        headers = _keep(list(request.headers.items()))
        headers.pop("host", None)
        async with sessions["upstream"].get("/" + path, headers=headers) as upstream:
            body = await upstream.read()
            return Response(body, upstream.status, _keep(list(upstream.headers.items())))

    return app


class RawAiohttpProxy:
    def __init__(self) -> None:
        self.session: aiohttp.ClientSession | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await self.session.close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert self.session is not None
        async with self.session.get(UPSTREAM + scope["path"]) as upstream:
            body = await upstream.read()
            headers = [(b"content-type", b"application/json"),
                       (b"content-length", str(len(body)).encode())]  # fmt: skip
        await send({"type": "http.response.start", "status": upstream.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


app = {"httpx": httpx_app, "aiohttp": aiohttp_app, "raw": RawAiohttpProxy}[MODE]()
