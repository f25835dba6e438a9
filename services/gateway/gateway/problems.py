"""problem+json answers written straight to ASGI `send` (the proxy path has no framework)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import Send

from shared.http.problems import PROBLEM_JSON, ProblemException, problem_body


async def send_problem(
    send: Send,
    problem: ProblemException,
    *,
    instance: str,
    request_id: str,
    extra: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """One complete RFC 9457 response; the body carries `instance` and `request_id`.

    `extra`: headers the edge adds to every answer (security headers, CORS).
    """
    body = problem_body(
        problem.status, problem.type, problem.title, problem.detail, instance,
        {"request_id": request_id, **problem.extra},
    )  # fmt: skip
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(payload)).encode()),
        (b"x-request-id", request_id.encode()),
        *((name.lower().encode("latin-1"), value.encode("latin-1"))
          for name, value in problem.headers.items()),
        *extra,
    ]  # fmt: skip
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload, "more_body": False})
