"""The one place that wires the catalog service: unit of work, HTTP routes, reactions, jobs."""

from __future__ import annotations

from pathlib import Path

from catalog.adapters.tables import metadata, platform
from catalog.entrypoints.http.routes import routers
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from catalog.settings import CatalogSettings
from shared.runtime import ServiceDefinition

definition: ServiceDefinition[CatalogSettings, CatalogUnitOfWork] = ServiceDefinition(
    name="catalog",
    title="IMET Catalog service",
    description="Catalog service of the IMET Pipeline.",
    api_prefix="/api/v1/catalog",
    settings_factory=CatalogSettings,  # type: ignore[arg-type]
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=CatalogUnitOfWork,
    routers=routers,
)
