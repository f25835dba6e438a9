"""The edge's header sets: security headers, HSTS only when configured, CORS per origin."""

from __future__ import annotations

from gateway.edge import Edge
from gateway.settings import GatewaySettings


def _edge(**settings: object) -> Edge:
    return Edge(GatewaySettings(**settings))  # type: ignore[arg-type]


def test_api_answers_carry_the_security_headers_and_no_store() -> None:
    headers = dict(_edge().api_response_headers(None))

    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"referrer-policy"] == b"no-referrer"
    assert headers[b"x-frame-options"] == b"DENY"
    assert headers[b"cache-control"] == b"no-store"
    assert headers[b"content-security-policy"].startswith(b"default-src 'none'")
    assert b"strict-transport-security" not in headers


def test_hsts_is_sent_when_configured() -> None:
    headers = dict(_edge(hsts_max_age_seconds=31536000).api_response_headers(None))

    assert headers[b"strict-transport-security"] == b"max-age=31536000; includeSubDomains"


def test_security_headers_can_be_turned_off() -> None:
    headers = dict(_edge(security_headers=False).api_response_headers(None))

    assert headers == {b"cache-control": b"no-store"}


def test_an_allowed_origin_is_echoed_and_varies() -> None:
    edge = _edge(cors_allowed_origins=["https://portal.example"])

    headers = edge.api_response_headers("https://portal.example")

    assert (b"access-control-allow-origin", b"https://portal.example") in headers
    assert (b"vary", b"origin") in headers


def test_an_origin_not_listed_gets_no_cors_headers() -> None:
    edge = _edge(cors_allowed_origins=["https://portal.example"])

    headers = dict(edge.api_response_headers("https://evil.example"))

    assert b"access-control-allow-origin" not in headers


def test_by_default_no_origin_is_allowed() -> None:
    assert _edge().cors_headers("https://portal.example") == []


def test_the_edge_owns_the_security_and_cors_headers_of_upstream_answers() -> None:
    owned = _edge().owned

    assert {b"x-frame-options", b"cache-control", b"access-control-allow-origin"} <= owned
