"""The proxy path over real TCP: what reaches the service and what comes back."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.helpers.timing import scaled

ECHO = "/api/v1/catalog/things"


def _headers(echoed: dict[str, Any]) -> dict[str, str]:
    return {name: value for name, value in echoed["headers"]}


async def test_head_answers_headers_without_a_body(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.head(ECHO, headers=auth)

    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


async def test_method_path_query_and_body_reach_the_service_unchanged(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = b'{"course": "D177014"}'

    response = await client.put(
        "/api/v1/catalog/a%20b/c%2Fd?x=1&y=%2F&y=2", content=body,
        headers={**auth, "Content-Type": "application/json", "X-Custom": "kept"},
    )  # fmt: skip

    echoed = response.json()
    assert response.status_code == 200
    assert echoed["method"] == "PUT"
    assert echoed["raw_path"] == "/api/v1/catalog/a%20b/c%2Fd"
    assert echoed["query"] == "x=1&y=%2F&y=2"
    assert echoed["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert _headers(echoed)["x-custom"] == "kept"
    assert _headers(echoed)["content-type"] == "application/json"


async def test_each_prefix_goes_to_its_own_service(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    paths = {"/api/v1/nominations": "nomination", "/api/v1/nominations/n-1/history": "nomination",
             "/api/v1/vetting/cases": "vetting", "/api/v1/catalog/courses": "catalog"}  # fmt: skip

    answered = {path: (await client.get(path, headers=auth)).json()["upstream"] for path in paths}

    assert answered == paths


async def test_a_prefix_lookalike_is_not_proxied(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v1/nominationsX", headers=auth)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_service_sees_its_own_host_and_the_forwarded_headers(
    client: httpx.AsyncClient, auth: dict[str, str], gateway_url: str, upstreams: Any
) -> None:
    response = await client.get(ECHO, headers={**auth, "X-Forwarded-For": "203.0.113.9"})

    seen = _headers(response.json())
    assert seen["host"] == upstreams.urls["catalog"].removeprefix("http://")
    assert seen["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-host"] == gateway_url.removeprefix("http://")
    assert seen["authorization"] == auth["Authorization"]


async def test_hop_by_hop_request_headers_stay_at_the_gateway(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    hop = {"Connection": "keep-alive, X-Hop-Secret", "X-Hop-Secret": "1", "TE": "trailers",
           "Proxy-Authorization": "Basic Zm9vOmJhcg==", "Upgrade": "websocket"}  # fmt: skip

    response = await client.get(ECHO, headers={**auth, **hop})

    seen = _headers(response.json())
    assert not {"x-hop-secret", "te", "proxy-authorization", "upgrade", "keep-alive"} & set(seen)
    assert seen.get("connection", "keep-alive") == "keep-alive"


async def test_hop_by_hop_response_headers_stay_at_the_gateway(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v1/catalog/headers-out", headers=auth)

    assert response.headers["x-upstream"] == "yes"
    assert "x-private" not in response.headers
    assert "keep-alive" not in response.headers
    assert response.headers.get_list("server") == ["uvicorn"]


async def test_cookies_set_by_a_service_are_not_replayed_for_other_clients(
    client: httpx.AsyncClient, auth: dict[str, str], gateway_url: str
) -> None:
    await client.get("/api/v1/catalog/headers-out", headers=auth)

    async with httpx.AsyncClient(base_url=gateway_url, timeout=scaled(10)) as stranger:
        seen = _headers((await stranger.get(ECHO, headers=auth)).json())

    assert "cookie" not in seen


async def test_redirects_are_passed_to_the_client_not_followed(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get("/api/v1/catalog/redirect", headers=auth)

    assert response.status_code == 307
    assert response.headers["location"] == "/elsewhere"


async def test_compressed_bodies_pass_through_byte_for_byte(
    client: httpx.AsyncClient, auth: dict[str, str], gzipped_body: bytes
) -> None:
    async with client.stream("GET", "/api/v1/catalog/gzip", headers=auth) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])

    assert response.headers["content-encoding"] == "gzip"
    assert raw == gzipped_body


async def test_response_streams_before_the_service_finished_it(
    client: httpx.AsyncClient, auth: dict[str, str], gateway_url: str
) -> None:
    async with client.stream("GET", "/api/v1/catalog/stream", headers=auth) as response:
        chunks = response.aiter_raw()

        first = await asyncio.wait_for(anext(chunks), timeout=scaled(5))
        async with httpx.AsyncClient(base_url=gateway_url, timeout=scaled(10)) as other:
            await other.post("/api/v1/catalog/release", headers=auth)
        rest = b"".join([chunk async for chunk in chunks])

    assert first == b"first\n"
    assert rest == b"second\n"


async def test_client_leaving_an_endless_stream_closes_it_at_the_service(
    client: httpx.AsyncClient, auth: dict[str, str], upstreams: Any
) -> None:
    closed = upstreams.states["catalog"].endless_stream_closed
    async with client.stream("GET", "/api/v1/catalog/endless", headers=auth) as response:
        await asyncio.wait_for(anext(response.aiter_raw()), timeout=scaled(5))

    deadline = time.monotonic() + scaled(5)
    while not closed.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)

    assert closed.is_set()


async def test_request_body_streams_to_the_service_while_the_client_still_sends(
    client: httpx.AsyncClient, auth: dict[str, str], gateway_url: str
) -> None:
    upload_id = uuid.uuid4().hex
    first, second = b"a" * 100_000, b"b" * 100_000

    async def body() -> AsyncIterator[bytes]:
        yield first
        # Only a gateway that streams lets the service see the first part before the second.
        async with httpx.AsyncClient(base_url=gateway_url, timeout=scaled(10)) as probe:
            deadline = time.monotonic() + scaled(5)
            while (await probe.get(f"/api/v1/catalog/progress?id={upload_id}",
                                   headers=auth)).json()["received"] < len(first):  # fmt: skip
                assert time.monotonic() < deadline, "the gateway buffered the request body"
                await asyncio.sleep(0.02)
        yield second

    response = await client.post(f"/api/v1/catalog/upload?id={upload_id}", content=body(),
                                 headers=auth)  # fmt: skip

    assert response.json() == {
        "received": len(first) + len(second),
        "sha256": hashlib.sha256(first + second).hexdigest(),
        "transfer_encoding": "chunked",
    }


async def test_request_id_is_generated_sent_to_the_service_and_echoed(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get(ECHO, headers=auth)

    request_id = response.headers["x-request-id"]
    assert uuid.UUID(request_id)
    assert _headers(response.json())["x-request-id"] == request_id


async def test_valid_client_request_id_is_kept(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get(ECHO, headers={**auth, "X-Request-ID": "client-42.a_b"})

    assert response.headers["x-request-id"] == "client-42.a_b"
    assert _headers(response.json())["x-request-id"] == "client-42.a_b"


async def test_malformed_client_request_id_is_replaced(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get(ECHO, headers={**auth, "X-Request-ID": "bad id; drop table"})

    assert response.headers["x-request-id"] != "bad id; drop table"
    assert uuid.UUID(response.headers["x-request-id"])


async def test_traceparent_continues_the_clients_trace_in_a_new_span(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    response = await client.get(ECHO, headers={**auth, "traceparent": parent})

    version, trace_id, span_id, flags = _headers(response.json())["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", "0af7651916cd43dd8448eb211c80319c", "01")
    assert span_id != "b7ad6b7169203331"


async def test_request_without_traceparent_starts_a_trace(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    response = await client.get(ECHO, headers=auth)

    assert len(_headers(response.json())["traceparent"].split("-")[1]) == 32
