"""The one place that wires the funding service: unit of work, HTTP routes, reactions, jobs."""

from __future__ import annotations

from pathlib import Path

from funding.adapters.tables import metadata, platform
from funding.entrypoints.http.routes import routers
from funding.service_layer.unit_of_work import FundingUnitOfWork
from funding.settings import FundingSettings
from shared.runtime import ServiceDefinition

definition: ServiceDefinition[FundingSettings, FundingUnitOfWork] = ServiceDefinition(
    name="funding",
    title="IMET Funding service",
    description="Funding service of the IMET Pipeline.",
    api_prefix="/api/v1/funding",
    settings_factory=FundingSettings,  # type: ignore[arg-type]
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=FundingUnitOfWork,
    routers=routers,
)
