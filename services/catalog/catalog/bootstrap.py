"""The one place that wires the catalog: unit of work, HTTP routes, reactions, jobs, seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog.adapters.tables import metadata, platform
from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.entrypoints import reactions
from catalog.entrypoints.clock import utc_now
from catalog.entrypoints.http.routes import routers
from catalog.entrypoints.jobs import expire_holds_job
from catalog.seed import seed
from catalog.settings import CatalogSettings
from shared.contracts import flow
from shared.runtime import ServiceDefinition


def reaction_dependencies(settings: CatalogSettings) -> dict[str, Any]:
    """What the reactions are given (their keyword-only parameters): the hold policy of the
    settings the consumer starts with, and the clock."""
    return {"hold_policy": settings.hold_policy(), "clock": utc_now}


definition: ServiceDefinition[CatalogSettings, SqlCatalogUnitOfWork] = ServiceDefinition(
    name="catalog",
    title="IMET Catalog service",
    description=(
        "Schoolhouses, courses (MASL numbers), tuition per fiscal year, classes and their seats. "
        "Seats are held when a nomination is submitted, confirmed when funds are obligated and "
        "released on withdrawal, denial or cancellation; a class never takes more students than "
        "its capacity, and a full class keeps a first-come-first-served waitlist. Reads are open "
        "to every authenticated role; changes need `catalog_manager` (or `admin`)."
    ),
    api_prefix="/api/v1/catalog",
    settings_factory=CatalogSettings,
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=SqlCatalogUnitOfWork,
    routers=routers,
    # Built when the consumer is (at process start), with the settings of then.
    reactions=lambda: flow.reactions_of(
        "catalog", reactions, **reaction_dependencies(CatalogSettings())
    ),
    jobs=lambda: [expire_holds_job],
    openapi_tags=[
        {
            "name": "institutions",
            "description": "Schoolhouses: location, implementing agency, quarters and mess.",
        },
        {
            "name": "courses",
            "description": "Courses by MASL number: facts, English minimum, E-IMET, tuition.",
        },
        {
            "name": "classes",
            "description": "Offerings of a course: dates, capacity, status, seats and waitlist.",
        },
        {"name": "audit", "description": "Who changed what in the catalog (auditors, admins)."},
    ],
    extra={"seed": seed},
)
