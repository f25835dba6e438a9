"""The composed ASGI app, without sockets."""

from __future__ import annotations

from typing import Any

from gateway.app import create_app
from gateway.settings import GatewaySettings


async def test_gateway_refuses_to_proxy_before_its_lifespan_started() -> None:
    app = create_app(GatewaySettings())
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": "GET", "path": "/api/v1/catalog/x",
             "raw_path": b"/api/v1/catalog/x", "query_string": b"", "headers": [],
             "client": ("127.0.0.1", 1), "scheme": "http"}  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)

    assert sent[0]["status"] == 503
