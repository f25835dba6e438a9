"""HTTP routes of the funding service under /api/v1/funding."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
