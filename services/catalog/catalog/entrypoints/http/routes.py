"""HTTP routes of the catalog service under /api/v1/catalog."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
