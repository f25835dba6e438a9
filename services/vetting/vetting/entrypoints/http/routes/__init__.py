"""HTTP routes of the vetting service under /api/v1/vetting."""

from __future__ import annotations

from fastapi import APIRouter

from vetting.entrypoints.http.routes import cases, decisions, registry, statistics, units


def routers() -> list[APIRouter]:
    return [cases.router, decisions.router, registry.router, statistics.router, units.router]
