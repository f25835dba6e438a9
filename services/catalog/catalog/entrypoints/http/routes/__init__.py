"""HTTP routes of the catalog service under /api/v1/catalog."""

from __future__ import annotations

from fastapi import APIRouter

from catalog.entrypoints.http.routes.classes import router as classes_router
from catalog.entrypoints.http.routes.courses import router as courses_router
from catalog.entrypoints.http.routes.institutions import router as institutions_router


def routers() -> list[APIRouter]:
    return [institutions_router, courses_router, classes_router]
