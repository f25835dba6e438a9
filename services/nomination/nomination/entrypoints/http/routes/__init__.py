"""HTTP routes of the nomination service under /api/v1/nominations."""

from __future__ import annotations

from fastapi import APIRouter

from nomination.entrypoints.http.routes import (
    candidates,
    countries,
    imports,
    lifecycle,
    nominations,
    travel_orders,
)


def routers() -> list[APIRouter]:
    # Fixed paths (candidates, countries, imports) never collide with `/{nomination_id:uuid}`.
    return [
        candidates.router,
        countries.router,
        imports.router,
        nominations.router,
        lifecycle.router,
        travel_orders.router,
    ]
