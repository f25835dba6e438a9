"""Real servers over real TCP: echo upstreams and the gateway, each uvicorn in its own thread.

Every server is stopped by the fixture that started it, on failure too (`serve()` is a
context manager); threads are daemons, so a server that refuses to stop cannot hang the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from gateway.app import GatewayApp, create_app
from gateway.listeners import Listeners
from gateway.settings import GatewaySettings
from gateway.signing.issuer import TokenIssuer
from gateway.signing.keys import ensure_dev_keys
from imet.infra.process import free_port
from shared.auth.jwks import FileJwksSource
from shared.auth.tokens import TokenVerifier
from tests.helpers.timing import scaled

ISSUER = "imet-gateway-test"
AUDIENCE = "imet-pipeline"
READ_TIMEOUT = scaled(4.0)  # short (the 504 test waits for it), scaled for a slow machine
MAX_BODY = 256 * 1024
GZIPPED = gzip.compress(b"compressed upstream body " * 20, mtime=0)


@dataclass
class EchoState:
    """What an echo upstream saw; read by the tests from their own thread."""

    name: str
    seen_paths: list[str] = field(default_factory=list)
    received: dict[str, int] = field(default_factory=dict)
    endless_stream_closed: threading.Event = field(default_factory=threading.Event)


def echo_app(state: EchoState) -> FastAPI:
    """An upstream that answers by the last path segment; anything else echoes the request."""
    app = FastAPI()
    release = asyncio.Event()

    async def stream(_: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first\n"
            # Only a guard against a test that never releases: far above any machine's pace.
            await asyncio.wait_for(release.wait(), timeout=scaled(120))
            yield b"second\n"

        return StreamingResponse(chunks(), media_type="text/plain")

    async def endless(_: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            try:
                while True:
                    yield b"tick\n"
                    await asyncio.sleep(0.2)
            finally:
                state.endless_stream_closed.set()

        return StreamingResponse(chunks(), media_type="text/plain")

    async def do_release(_: Request) -> Response:
        release.set()
        return Response(status_code=204)

    async def slow(request: Request) -> Response:
        await asyncio.sleep(float(request.query_params["seconds"]))
        return JSONResponse({"slept": True})

    async def upload(request: Request) -> Response:
        upload_id = request.query_params["id"]
        digest = hashlib.sha256()
        state.received[upload_id] = 0
        async for chunk in request.stream():
            state.received[upload_id] += len(chunk)
            digest.update(chunk)
        return JSONResponse({
            "received": state.received[upload_id], "sha256": digest.hexdigest(),
            "transfer_encoding": request.headers.get("transfer-encoding"),
        })  # fmt: skip

    async def progress(request: Request) -> Response:
        return JSONResponse({"received": state.received.get(request.query_params["id"], 0)})

    async def headers_out(_: Request) -> Response:
        return Response(b"ok", headers={
            "x-upstream": "yes", "keep-alive": "timeout=5", "connection": "x-private",
            "x-private": "secret", "set-cookie": "session=upstream-secret; Path=/",
        })  # fmt: skip

    async def redirect(_: Request) -> Response:
        return RedirectResponse("/elsewhere", status_code=307)

    async def compressed(_: Request) -> Response:
        return Response(GZIPPED, headers={"content-encoding": "gzip"}, media_type="text/plain")

    async def echo(request: Request) -> Response:
        body = await request.body()
        return JSONResponse({
            "upstream": state.name, "method": request.method, "path": request.url.path,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "headers": [[k.decode(), v.decode()] for k, v in request.scope["headers"]],
            "body_sha256": hashlib.sha256(body).hexdigest(),
        })  # fmt: skip

    special = {"stream": stream, "endless": endless, "release": do_release, "slow": slow,
               "upload": upload, "progress": progress, "headers-out": headers_out,
               "redirect": redirect, "gzip": compressed}  # fmt: skip

    @app.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
    async def dispatch(request: Request, path: str) -> Response:
        state.seen_paths.append(request.url.path)
        return await special.get(path.rsplit("/", 1)[-1], echo)(request)

    return app


@contextlib.contextmanager
def serve(app: Any, *, lifespan: str = "on") -> Iterator[str]:
    """Serve `app` on a free port in a background thread; yields its base URL."""
    port = free_port()
    # proxy_headers off, as `python -m gateway` runs by default: the gateway is the edge.
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan=lifespan,
                            log_level="warning", access_log=False, proxy_headers=False)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + scaled(10)
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on port {port} did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Upstreams:
    urls: dict[str, str]
    states: dict[str, EchoState]
    closed_url: str


@pytest.fixture(scope="session")
def upstreams() -> Iterator[Upstreams]:
    """Echo servers for catalog, nomination and vetting; funding points at a closed port."""
    states = {name: EchoState(name) for name in ("catalog", "nomination", "vetting")}
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(serve(echo_app(state))) for name, state in states.items()}
        yield Upstreams(urls, states, closed_url=f"http://127.0.0.1:{free_port()}")


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("gateway-keys")
    ensure_dev_keys(directory)
    return directory


@pytest.fixture(scope="session")
def issuer(key_dir: Path) -> TokenIssuer:
    return TokenIssuer(ensure_dev_keys(key_dir).current, ISSUER, AUDIENCE, ttl_seconds=600)


@pytest.fixture(scope="session")
def verifier(key_dir: Path) -> TokenVerifier:
    return TokenVerifier(FileJwksSource(key_dir / "jwks.json"), ISSUER, AUDIENCE)


def gateway_settings(
    upstreams: Upstreams,
    *,
    funding_url: str | None = None,
    reporting_url: str | None = None,
    **overrides: Any,
) -> GatewaySettings:
    """Settings of a test gateway in front of the echo upstreams; `overrides` are fields."""
    fields: dict[str, Any] = {
        "catalog_url": upstreams.urls["catalog"],
        "nomination_url": upstreams.urls["nomination"],
        "vetting_url": upstreams.urls["vetting"],
        "funding_url": funding_url or upstreams.closed_url,
        "reporting_url": reporting_url or upstreams.closed_url,
        "read_timeout_seconds": READ_TIMEOUT,
        "connect_timeout_seconds": scaled(2.0),
        "readiness_timeout_seconds": scaled(1.0),
        "max_body_bytes": MAX_BODY,
        "database_url": None,  # client credentials only where a test asks for them
    }
    return GatewaySettings(**(fields | overrides))


@contextlib.contextmanager
def serve_gateway(app: GatewayApp) -> Iterator[tuple[str, str]]:
    """Both listeners of a gateway on one event loop, as `python -m gateway` runs them (in a
    background thread, signals left to pytest); yields (public URL, admin URL)."""
    public, admin = free_port(), free_port()
    configs = [
        uvicorn.Config(app, host="127.0.0.1", port=public, lifespan="on", log_level="warning",
                       access_log=False, proxy_headers=False),
        uvicorn.Config(app.admin_listener, host="127.0.0.1", port=admin, lifespan="off",
                       log_level="warning", access_log=False, proxy_headers=False),
    ]  # fmt: skip
    listeners = Listeners(*configs)
    thread = threading.Thread(
        target=lambda: asyncio.run(listeners.run(handle_signals=False)), daemon=True,
        name=f"gateway-{public}",
    )  # fmt: skip
    thread.start()
    try:
        deadline = time.monotonic() + scaled(10)
        while not listeners.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"gateway on ports {public}/{admin} did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{public}", f"http://127.0.0.1:{admin}"
    finally:
        listeners.stop()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def gateway_listeners(upstreams: Upstreams, verifier: TokenVerifier) -> Iterator[tuple[str, str]]:
    with serve_gateway(create_app(gateway_settings(upstreams), verifier=verifier)) as urls:
        yield urls


@pytest.fixture(scope="session")
def gateway_url(gateway_listeners: tuple[str, str]) -> str:
    return gateway_listeners[0]


@pytest.fixture(scope="session")
def gateway_admin_url(gateway_listeners: tuple[str, str]) -> str:
    """The admin listener (readiness and metrics) of the session's gateway."""
    return gateway_listeners[1]


GatewayFactory = Callable[..., contextlib.AbstractContextManager[str]]


@pytest.fixture(scope="session")
def start_gateway(upstreams: Upstreams, verifier: TokenVerifier) -> GatewayFactory:
    """`with start_gateway(rate_limit_burst=3) as url:` a gateway with these settings in front of
    the echo upstreams (`with_verifier=` replaces the session's token verifier)."""

    def _start(
        *, with_verifier: TokenVerifier | None = None, **overrides: Any
    ) -> contextlib.AbstractContextManager[str]:
        settings = gateway_settings(upstreams, **overrides)
        return serve(create_app(settings, verifier=with_verifier or verifier))

    return _start


@pytest.fixture
def all_ready_gateway_admin_url(upstreams: Upstreams, verifier: TokenVerifier) -> Iterator[str]:
    """The admin listener of a second gateway whose funding and reporting routes point at a
    live echo server."""
    live = upstreams.urls["vetting"]
    settings = gateway_settings(upstreams, funding_url=live, reporting_url=live)
    with serve_gateway(create_app(settings, verifier=verifier)) as (_, admin_url):
        yield admin_url


@pytest.fixture
async def client(gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=scaled(10)) as http:
        yield http


@pytest.fixture(scope="session")
def auth(issuer: TokenIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.issue('tester', ['admin'])}"}


@pytest.fixture(scope="session")
def gzipped_body() -> bytes:
    """What the `gzip` endpoint of an echo upstream sends, byte for byte."""
    return GZIPPED
