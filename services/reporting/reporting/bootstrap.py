"""The one place that wires the reporting service: read model, HTTP routes, reactions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from reporting.adapters.tables import metadata, platform
from reporting.adapters.unit_of_work import SqlReportingUnitOfWork
from reporting.entrypoints import reactions
from reporting.entrypoints.http.routes import routers
from reporting.service_layer.unit_of_work import ReportingUnitOfWork
from reporting.settings import ReportingSettings
from shared.contracts import flow
from shared.runtime import ServiceDefinition


def clock() -> datetime:
    """The one place reporting reads the time."""
    return datetime.now(UTC)


def _is_a_reporting_unit_of_work(uow: SqlReportingUnitOfWork) -> ReportingUnitOfWork:
    # Checked by mypy: the SQL unit of work gives the use cases what their interface lists.
    return uow


CLOCK: Callable[[], datetime] = clock

definition: ServiceDefinition[ReportingSettings, SqlReportingUnitOfWork] = ServiceDefinition(
    name="reporting",
    title="IMET Reporting service",
    description=(
        "The reports the program must produce - the Foreign Military Training Report, the "
        "pipeline funnel, funding utilization and vetting turnaround - from a read model fed "
        "only by the four services' public topics (no other schema is read, no personal data "
        "is kept). `imet reporting rebuild` replays the topics from their beginning; "
        "`/api/v1/reports/status` tells how current the read model is."
    ),
    api_prefix="/api/v1/reports",
    settings_factory=ReportingSettings,
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=SqlReportingUnitOfWork,
    routers=routers,
    reactions=lambda: flow.reactions_of("reporting", reactions),
    openapi_tags=[
        {"name": "reports", "description": "FMTR, funnel, utilization, vetting turnaround."},
        {"name": "status", "description": "How current the read model is."},
        {"name": "countries", "description": "Country reference data: regions, exclusions."},
    ],
    extra={"clock": CLOCK},
)
