"""HTTP routes of the vetting service under /api/v1/vetting."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    return []
