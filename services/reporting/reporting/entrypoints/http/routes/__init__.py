"""HTTP routes of the reporting service under /api/v1/reports."""

from __future__ import annotations

from fastapi import APIRouter

from reporting.entrypoints.http.routes import countries, reports, status


def routers() -> list[APIRouter]:
    return [reports.router, status.router, countries.router]
