"""Header rules of the proxy, applied in one pass over the ASGI header list.

Invariants:
- Hop-by-hop headers (RFC 9110 7.6.1: Connection, Keep-Alive, Transfer-Encoding, TE, Trailer,
  Upgrade, Proxy-*; plus every header the Connection header names) never cross the gateway,
  in either direction.
- Upstream gets: Host of the upstream (aiohttp sets it from the URL), X-Forwarded-For with the
  client's address appended (only the right-most entry is the gateway's own observation),
  X-Forwarded-Proto and X-Forwarded-Host as the gateway saw them, the request id and a
  traceparent for the gateway's hop (continuing the client's trace only when its traceparent
  is valid W3C trace context; its `tracestate` travels only then, and only up to
  `TRACESTATE_MAX_LENGTH`). Authorization is forwarded: services verify it again.
- The client gets the upstream's end-to-end headers plus `x-request-id`; the upstream's
  `date`/`server` are dropped because the gateway's server writes its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

HOP_BY_HOP = frozenset(
    {
        "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authorization", "proxy-authenticate", "proxy-connection",
    }
)  # fmt: skip
# Replaced by the gateway (or, for `expect`, already answered to the client by the server).
_REPLACED = frozenset(
    {"host", "expect", "x-request-id", "traceparent", "tracestate", "x-forwarded-for",
     "x-forwarded-proto", "x-forwarded-host"}
)  # fmt: skip
_NOT_FORWARDED = HOP_BY_HOP | _REPLACED
_CONNECTION_OPTIONS = frozenset({"close", "keep-alive", ""})
_CONNECTION_OPTIONS_BYTES = frozenset(option.encode() for option in _CONNECTION_OPTIONS)
_DROPPED_FROM_RESPONSE = frozenset(
    {name.encode() for name in HOP_BY_HOP} | {b"date", b"server", b"x-request-id"}
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# W3C trace context: vendors propagate at least 512 characters; a longer state is dropped.
TRACESTATE_MAX_LENGTH = 512


_UUID_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_request_id() -> str:
    """A random RFC 9562 version-4 UUID string.

    Same value space as `str(uuid.uuid4())` at a fraction of its cost (one `os.urandom`, no
    `UUID` object): it runs for every request that arrives without an id.
    """
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_UUID_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def valid_request_id(value: str | None) -> str | None:
    """The client's X-Request-ID when it is 1-128 chars of [A-Za-z0-9._-]; else None."""
    return value if value is not None and _REQUEST_ID.fullmatch(value) else None


@dataclass(slots=True)
class RequestHeaders:
    """What the proxy needs from the client's headers, read in one pass."""

    forward: list[tuple[str, str]] = field(default_factory=list)
    request_id: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None
    authorization: str | None = None
    content_length: str | None = None
    chunked: bool = False
    host: str | None = None
    forwarded_for: str | None = None
    origin: str | None = None
    idempotency_key: bool = False


def read_request_headers(raw: Iterable[tuple[bytes, bytes]]) -> RequestHeaders:
    """Split the client's headers (ASGI: lower-case names) into end-to-end ones and the rest."""
    parsed = RequestHeaders()
    forward = parsed.forward
    named_by_connection: set[str] = set()
    for raw_name, raw_value in raw:
        name = raw_name.decode("latin-1")
        value = raw_value.decode("latin-1")
        if name in _NOT_FORWARDED:
            if name == "connection":
                named_by_connection.update(t.strip().lower() for t in value.split(","))
            elif name == "transfer-encoding":
                parsed.chunked = True
            elif name == "x-request-id":
                parsed.request_id = value
            elif name == "traceparent":
                parsed.traceparent = value
            elif name == "tracestate":
                # Several tracestate headers are one comma-separated list (RFC 9110 5.3).
                state = value if parsed.tracestate is None else f"{parsed.tracestate},{value}"
                parsed.tracestate = state
            elif name == "host":
                parsed.host = value
            elif name == "x-forwarded-for":
                parsed.forwarded_for = value
            continue
        if name == "authorization":
            parsed.authorization = value
        elif name == "content-length":
            parsed.content_length = value
        elif name == "origin":
            parsed.origin = value
        elif name == "idempotency-key":
            parsed.idempotency_key = True
        forward.append((name, value))
    # Usually only "keep-alive" or "close": nothing more to drop, no second pass.
    if named_by_connection - _CONNECTION_OPTIONS:
        parsed.forward = [(n, v) for n, v in forward if n not in named_by_connection]
    return parsed


def upstream_headers(
    parsed: RequestHeaders,
    *,
    request_id: str,
    traceparent: str,
    client_host: str | None,
    scheme: str,
) -> list[tuple[str, str]]:
    headers = list(parsed.forward)
    headers.append(("x-request-id", request_id))
    headers.append(("traceparent", traceparent))
    if parsed.tracestate and len(parsed.tracestate) <= TRACESTATE_MAX_LENGTH:
        headers.append(("tracestate", parsed.tracestate))
    if client_host:
        chain = f"{parsed.forwarded_for}, {client_host}" if parsed.forwarded_for else client_host
        headers.append(("x-forwarded-for", chain))
    headers.append(("x-forwarded-proto", scheme))
    if parsed.host:
        headers.append(("x-forwarded-host", parsed.host))
    return headers


def response_dropped(owned: Iterable[bytes]) -> frozenset[bytes]:
    """The response headers never relayed: hop-by-hop, replaced ones, and `owned` (the edge's)."""
    return _DROPPED_FROM_RESPONSE | frozenset(owned)


def response_headers(
    raw: Iterable[tuple[bytes, bytes]],
    request_id: bytes,
    added: Iterable[tuple[bytes, bytes]] = (),
    dropped: frozenset[bytes] = _DROPPED_FROM_RESPONSE,
) -> list[tuple[bytes, bytes]]:
    """The upstream's end-to-end response headers (names lower-cased), minus `dropped` (at
    least hop-by-hop and replaced ones, see `response_dropped`), plus our request id and
    `added` (the edge's headers)."""
    headers: list[tuple[bytes, bytes]] = []
    named_by_connection: set[bytes] = set()
    for raw_name, value in raw:
        name = raw_name.lower()
        if name in dropped:
            if name == b"connection":
                named_by_connection.update(t.strip().lower() for t in value.split(b","))
            continue
        headers.append((name, value))
    if named_by_connection - _CONNECTION_OPTIONS_BYTES:
        headers = [(n, v) for n, v in headers if n not in named_by_connection]
    headers.append((b"x-request-id", request_id))
    headers.extend(added)
    return headers
