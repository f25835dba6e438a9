"""HTTP routes of the nomination service under /api/v1/nominations."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
