"""The bare endpoint every path is measured against: FastAPI returning a small JSON document.

It answers the same body at `/api/v1/catalog/ping` (authenticated through the gateway) and at
`/api/v1/catalog/healthz` (public through the gateway), so both gateway paths can be measured.
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()
BODY: dict[str, object] = {"status": "ok", "service": "catalog", "items": [1, 2, 3]}


@app.get("/api/v1/catalog/ping")
async def ping() -> dict[str, object]:
    return BODY


@app.get("/api/v1/catalog/healthz")
async def healthz() -> dict[str, object]:
    return BODY
