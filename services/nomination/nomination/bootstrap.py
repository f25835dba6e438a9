"""The one place that wires the nomination service: unit of work, HTTP routes, reactions, jobs."""

from __future__ import annotations

from pathlib import Path

from nomination.adapters.tables import metadata, platform
from nomination.entrypoints.http.routes import routers
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from nomination.settings import NominationSettings
from shared.runtime import ServiceDefinition

definition: ServiceDefinition[NominationSettings, NominationUnitOfWork] = ServiceDefinition(
    name="nomination",
    title="IMET Nomination service",
    description="Nomination service of the IMET Pipeline.",
    api_prefix="/api/v1/nominations",
    settings_factory=NominationSettings,  # type: ignore[arg-type]
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=NominationUnitOfWork,
    routers=routers,
)
