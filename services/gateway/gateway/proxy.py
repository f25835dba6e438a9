"""The hot path: forward one request to its upstream and stream the answer back.

Invariants:
- Bodies stream both ways. Only a request body with a Content-Length of at most
  `SMALL_BODY_BYTES` is read whole before forwarding (bounded memory, one write upstream).
- A request body never exceeds `max_body_bytes`: a larger Content-Length is refused before the
  upstream is contacted, and a streamed body is counted and cut off at the limit (413).
- Every failure before the response starts becomes a problem+json answer: refused or reset
  connection 502, timeout 504; the request never hangs past the configured timeouts. A
  failure after the response started can only close the client connection (the status line
  is gone): the exception propagates so the server does exactly that.
- A streamed response stops, and its upstream connection is closed, as soon as the server
  reports that the client left: a long stream is never read on for no one.
- Retries: a request that is safe to repeat - GET/HEAD/OPTIONS, or any method carrying an
  `Idempotency-Key` (the service answers a repeat with the first result) - is sent once more
  on a fresh connection when the upstream connection fails (refused, reset, or a pooled
  connection the upstream just closed), and only when its body was not streamed (absent or
  read whole, so it can be sent again) and no response byte reached the client. Nothing else
  is retried; a second failure is the client's 502. Timeouts are never retried (504).
- Every answer, relayed or the gateway's own, carries the edge's headers (`edge.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

import aiohttp
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway.headers import RequestHeaders, response_dropped, response_headers, upstream_headers
from gateway.problems import send_problem
from gateway.routing import Upstream
from gateway.upstreams import UpstreamPool
from shared.auth.principal import Principal
from shared.http.problems import ProblemException
from shared.observability import get_logger

SMALL_BODY_BYTES = 64 * 1024
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The connection failed before an answer began: refused, reset, or closed under us.
_CONNECTION_FAILURES = (
    aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, aiohttp.ClientConnectionResetError
)  # fmt: skip
log = get_logger("gateway.proxy")


@dataclass(slots=True, eq=False)
class Exchange:
    """One proxied request as the steps and the proxy see it."""

    scope: Scope
    receive: Receive
    upstream: Upstream
    headers: RequestHeaders
    request_id: str
    traceparent: str
    public: bool
    principal: Principal | None = None
    request_complete: bool = False
    response_started: bool = False
    body_too_large: bool = False
    client_gone: bool = False
    edge_headers: Sequence[tuple[bytes, bytes]] = ()


ProxyStep = Callable[[Exchange], Awaitable[None]]
"""A check before forwarding (authentication, later rate limiting); refuses by raising
`ProblemException`, may annotate the exchange (e.g. `principal`)."""


class _BodyTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


class Proxy:
    def __init__(
        self, pool: UpstreamPool, max_body_bytes: int, *, owned_headers: Iterable[bytes] = ()
    ) -> None:
        self.pool = pool
        self.max_body_bytes = max_body_bytes
        # Response headers of a service that never reach the client (the edge sets its own).
        self.dropped = response_dropped(owned_headers)

    async def forward(self, exchange: Exchange, send: Send) -> int:
        """Relay the exchange; returns the status the client got (499: client went away)."""
        try:
            return await self._forward(exchange, send)
        except ProblemException as problem:
            return await self._fail(exchange, send, problem)
        except _ClientGone:
            return 499
        except TimeoutError as exc:
            log.warning("gateway.upstream_timeout", upstream=exchange.upstream.name,
                        error=type(exc).__name__)  # fmt: skip
            return await self._fail(exchange, send, ProblemException(
                504, "gateway-timeout", "Upstream service timed out",
                f"The {exchange.upstream.name} service did not answer in time.",
            ))  # fmt: skip
        except (aiohttp.ClientError, _BodyTooLarge) as exc:
            # A failure inside a streamed request body reaches us wrapped by aiohttp: the
            # flags on the exchange say what really happened.
            if exchange.client_gone:
                return 499
            if exchange.body_too_large:
                return await self._fail(exchange, send, self._too_large())
            log.warning("gateway.upstream_unreachable", upstream=exchange.upstream.name,
                        error=type(exc).__name__)  # fmt: skip
            return await self._fail(exchange, send, ProblemException(
                502, "bad-gateway", "Upstream service unavailable",
                f"The {exchange.upstream.name} service could not be reached.",
            ))  # fmt: skip

    async def _forward(self, exchange: Exchange, send: Send) -> int:
        scope = exchange.scope
        session = self.pool.sessions[exchange.upstream.name]
        query = scope["query_string"]
        target = scope.get("raw_path") or scope["path"].encode()
        if query:
            target = target + b"?" + query
        # encoded=True: the path and query reach the service byte for byte as the client sent them.
        url = URL(exchange.upstream.base_url + target.decode("latin-1"), encoded=True)
        if exchange.headers.content_length is None and not exchange.headers.chunked:
            body: bytes | AsyncIterator[bytes] | None = None
            exchange.request_complete = True
        else:
            body = await self._request_body(exchange)
        client = scope.get("client")
        headers = upstream_headers(
            exchange.headers,
            request_id=exchange.request_id,
            traceparent=exchange.traceparent,
            client_host=client[0] if client else None,
            scheme=scope["scheme"],
        )
        method = scope["method"]
        # A streamed body (an iterator) is gone once sent: it cannot be sent again.
        retry = (body is None or type(body) is bytes) and (
            method in _SAFE_METHODS or exchange.headers.idempotency_key
        )
        while True:
            try:
                async with session.request(
                    method, url, headers=headers, data=body, allow_redirects=False
                ) as response:
                    return await self._relay(exchange, response, send)
            except _CONNECTION_FAILURES as exc:
                if not retry or exchange.response_started:
                    raise
                retry = False
                log.info("gateway.upstream_retry", upstream=exchange.upstream.name,
                         error=type(exc).__name__)  # fmt: skip

    async def _relay(self, exchange: Exchange, response: aiohttp.ClientResponse, send: Send) -> int:
        headers = response_headers(
            response.raw_headers, exchange.request_id.encode(), exchange.edge_headers, self.dropped
        )
        length = response.content_length
        if length is not None and length <= SMALL_BODY_BYTES:
            # Small answers (most API calls) go out in one write after the status line.
            body = await response.read()
            exchange.response_started = True
            await send({"type": "http.response.start", "status": response.status,
                        "headers": headers})  # fmt: skip
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return response.status
        exchange.response_started = True
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        # A stream may outlive its client; once the request is read, a disconnect can only mean
        # the client left, and the upstream stream is closed instead of read on for no one.
        watcher = (
            asyncio.create_task(self._close_when_client_leaves(exchange, response))
            if exchange.request_complete
            else None
        )
        try:
            async for chunk in response.content.iter_any():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            if exchange.client_gone:
                return 499
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            if watcher is not None:
                watcher.cancel()
        return response.status

    async def _close_when_client_leaves(
        self, exchange: Exchange, response: aiohttp.ClientResponse
    ) -> None:
        while (await exchange.receive())["type"] != "http.disconnect":
            pass
        exchange.client_gone = True
        response.close()

    async def _request_body(self, exchange: Exchange) -> bytes | AsyncIterator[bytes]:
        declared = exchange.headers.content_length
        if declared is not None:
            if not declared.isdigit():
                raise ProblemException(400, "bad-request", "Bad request",
                                       "Content-Length is not a number.")  # fmt: skip
            size = int(declared)
            if size > self.max_body_bytes:
                exchange.body_too_large = True
                raise self._too_large()
            if size <= SMALL_BODY_BYTES:
                return b"".join([chunk async for chunk in self._receive_body(exchange)])
        return self._receive_body(exchange)

    async def _receive_body(self, exchange: Exchange) -> AsyncIterator[bytes]:
        received = 0
        while True:
            message = await exchange.receive()
            if message["type"] == "http.disconnect":
                exchange.client_gone = True
                raise _ClientGone
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_body_bytes:
                exchange.body_too_large = True
                raise _BodyTooLarge
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                exchange.request_complete = True
                return

    def _too_large(self) -> ProblemException:
        return ProblemException(
            413, "payload-too-large", "Request body too large",
            f"The request body exceeds {self.max_body_bytes} bytes.",
        )  # fmt: skip

    async def _fail(self, exchange: Exchange, send: Send, problem: ProblemException) -> int:
        if exchange.response_started:
            # The status line is already out; only closing the connection tells the client.
            raise problem
        await send_problem(send, problem, instance=exchange.scope["path"],
                           request_id=exchange.request_id, extra=exchange.edge_headers)  # fmt: skip
        return problem.status
