"""The one place that wires the vetting service: unit of work, HTTP routes, reactions, jobs."""

from __future__ import annotations

from pathlib import Path

from vetting.adapters.tables import metadata, platform
from vetting.entrypoints.http.routes import routers
from vetting.service_layer.unit_of_work import VettingUnitOfWork
from vetting.settings import VettingSettings
from shared.runtime import ServiceDefinition

definition: ServiceDefinition[VettingSettings, VettingUnitOfWork] = ServiceDefinition(
    name="vetting",
    title="IMET Vetting service",
    description="Vetting service of the IMET Pipeline.",
    api_prefix="/api/v1/vetting",
    settings_factory=VettingSettings,  # type: ignore[arg-type]
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=VettingUnitOfWork,
    routers=routers,
)
