"""Header rules of the proxy, without sockets."""

from __future__ import annotations

import uuid

from gateway.headers import (
    new_request_id,
    read_request_headers,
    response_headers,
    upstream_headers,
    valid_request_id,
)


def _raw(*pairs: tuple[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode(), value.encode()) for name, value in pairs]


def test_headers_named_by_connection_are_not_forwarded() -> None:
    parsed = read_request_headers(
        _raw(("connection", "keep-alive, x-secret"), ("x-secret", "1"), ("accept", "*/*"))
    )

    assert parsed.forward == [("accept", "*/*")]


def test_replaced_headers_are_read_but_not_forwarded_as_sent() -> None:
    parsed = read_request_headers(
        _raw(("host", "gw:8000"), ("x-request-id", "abc"), ("x-forwarded-for", "203.0.113.9"))
    )

    headers = dict(
        upstream_headers(
            parsed,
            request_id="abc",
            traceparent="00-t-s-01",
            client_host="10.0.0.1",
            scheme="https",
        )
    )
    assert "host" not in headers
    assert headers["x-forwarded-for"] == "203.0.113.9, 10.0.0.1"
    assert headers["x-forwarded-host"] == "gw:8000"
    assert headers["x-forwarded-proto"] == "https"


def test_chunked_request_is_noticed_and_transfer_encoding_dropped() -> None:
    parsed = read_request_headers(_raw(("transfer-encoding", "chunked")))

    assert parsed.chunked
    assert parsed.forward == []


def test_response_loses_hop_by_hop_and_gains_the_request_id() -> None:
    raw = [(b"Content-Type", b"application/json"), (b"Connection", b"x-private"),
           (b"X-Private", b"1"), (b"Keep-Alive", b"timeout=5"), (b"Server", b"uvicorn"),
           (b"X-Request-ID", b"upstream-id")]  # fmt: skip

    headers = response_headers(raw, b"rid-1")

    assert headers == [(b"content-type", b"application/json"), (b"x-request-id", b"rid-1")]


def test_generated_request_ids_are_version_4_uuids() -> None:
    ids = [new_request_id() for _ in range(1000)]

    parsed = [uuid.UUID(value) for value in ids]
    assert all(p.version == 4 and p.variant == uuid.RFC_4122 for p in parsed)
    assert [str(p) for p in parsed] == ids
    assert len(set(ids)) == len(ids)


def test_client_request_id_must_be_short_and_plain() -> None:
    assert valid_request_id("abc-DEF_1.2") == "abc-DEF_1.2"
    assert valid_request_id("x" * 129) is None
    assert valid_request_id("has space") is None
    assert valid_request_id("") is None
