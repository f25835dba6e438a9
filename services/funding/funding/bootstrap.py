"""The one place that wires the funding service: unit of work, HTTP routes, reactions, jobs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import funding.adapters.program_tables
import funding.adapters.reference_tables  # noqa: F401 - registers the reference tables on `metadata`
from funding.adapters.tables import metadata, platform
from funding.adapters.unit_of_work import SqlFundingUnitOfWork
from funding.domain.calendar import Clock
from funding.entrypoints import reactions
from funding.entrypoints.http.routes import routers
from funding.entrypoints.jobs import jobs
from funding.seed import seed
from funding.service_layer.unit_of_work import FundingUnitOfWork
from funding.settings import FundingSettings
from shared.contracts import flow
from shared.runtime import ServiceDefinition


def utc_clock() -> datetime:
    """The one place funding reads the time (use cases take `now`/`today`)."""
    return datetime.now(UTC)


clock: Clock = utc_clock


def _is_a_funding_unit_of_work(uow: SqlFundingUnitOfWork) -> FundingUnitOfWork:
    # Checked by mypy: the SQL unit of work gives the use cases what their interface lists.
    return uow


definition: ServiceDefinition[FundingSettings, SqlFundingUnitOfWork] = ServiceDefinition(
    name="funding",
    title="IMET Funding service",
    description=(
        "Appropriations per fiscal year (with their period of availability), country allocations, "
        "cost estimates, obligations against allocations (never beyond them: Anti-Deficiency Act), "
        "cancellation penalties as data, and an append-only double-entry ledger whose balances a "
        "consistency check proves."
    ),
    api_prefix="/api/v1/funding",
    settings_factory=FundingSettings,
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=SqlFundingUnitOfWork,
    routers=routers,
    reactions=lambda: flow.reactions_of("funding", reactions, clock=clock),
    jobs=jobs,
    openapi_tags=[
        {
            "name": "appropriations",
            "description": "Congress's IMET appropriation per fiscal year, in tranches",
        },
        {
            "name": "allocations",
            "description": "Country ceilings per fiscal year and their reprogramming",
        },
        {"name": "obligations", "description": "Training lines obligated against allocations"},
        {"name": "requests", "description": "Funding requests from the nomination service"},
        {
            "name": "balances",
            "description": "Utilization, planning checks and the ledger consistency check",
        },
        {"name": "ledger", "description": "The append-only double-entry ledger"},
        {"name": "estimates", "description": "Dry-run cost estimates of training lines"},
        {"name": "reference", "description": "TLA matrix, travel costs, penalty rules, parameters"},
        {
            "name": "programs",
            "description": "Country programs (training lines), planning checks, year-end runs",
        },
    ],
    extra={"seed": seed, "clock": clock},
)
