"""HTTP routes of the funding service under /api/v1/funding, one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from funding.entrypoints.http.routes import (
    allocations,
    appropriations,
    balances,
    estimates,
    ledger,
    obligations,
    programs,
    reference,
)


def routers() -> list[APIRouter]:
    return [
        appropriations.router,
        allocations.router,
        obligations.router,
        obligations.requests_router,
        balances.router,
        ledger.router,
        estimates.router,
        programs.router,
        programs.exceptions_router,
        programs.year_end_router,
        *reference.routers,
    ]
