"""Answers from the read cache (`catalog.adapters.read_cache`, ADR 0120/0155): a rendered body
with its ETag, or 304 when the request's `If-None-Match` names it."""

from __future__ import annotations

import hashlib

from fastapi import Request, Response

from shared.http.etag import not_modified


def weak_etag(body: bytes) -> str:
    """A list's ETag: weak (a page is not a versioned resource), from its rendered body."""
    return f'W/"{hashlib.sha256(body).hexdigest()[:20]}"'


def answer(request: Request, etag: str, body: bytes) -> Response:
    """200 with the rendered body, or 304 when If-None-Match names its ETag."""
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged
    return Response(body, media_type="application/json", headers={"ETag": etag})
