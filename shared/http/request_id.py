"""X-Request-ID and traceparent: accepted or generated, echoed, logged, carried into events."""

from __future__ import annotations

import re
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.observability import child_traceparent, request_id_var, traceparent_var
from shared.tracing import current_traceparent

_VALID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            try:
                return bytes(value).decode("latin-1")
            except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
                return None
    return None


class RequestContextMiddleware:
    """Pure ASGI (no per-request BaseHTTPMiddleware cost)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _VALID.match(incoming) else str(uuid.uuid4())
        # Tracing on: the server span (a child of the inbound traceparent) is the request's.
        traceparent = current_traceparent() or child_traceparent(_header(scope, b"traceparent"))
        rid_token = request_id_var.set(request_id)
        tp_token = traceparent_var.set(traceparent)
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)
