"""The one place that wires the vetting service: unit of work, HTTP routes, reactions, jobs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared.contracts import flow
from shared.runtime import ServiceDefinition
from vetting.adapters.tables import metadata, platform
from vetting.adapters.unit_of_work import SqlVettingUnitOfWork
from vetting.domain.moment import Clock, Moment
from vetting.entrypoints import reactions
from vetting.entrypoints.http.routes import routers
from vetting.entrypoints.jobs import jobs
from vetting.service_layer.unit_of_work import VettingUnitOfWork
from vetting.settings import VettingSettings


def office_clock(settings: VettingSettings) -> Clock:
    """The one place vetting reads the time: now, with the day at the vetting office."""
    zone = settings.timezone
    return lambda: Moment.at_office(datetime.now(UTC), zone)


def _is_a_vetting_unit_of_work(uow: SqlVettingUnitOfWork) -> VettingUnitOfWork:
    # Checked by mypy: the SQL unit of work gives the use cases what their interface lists.
    return uow


def _dependencies(settings: VettingSettings) -> dict[str, Any]:
    """What the reactions are given: the decision policy of the settings, and the clock."""
    return {"policy": settings.policy(), "clock": office_clock(settings)}


definition: ServiceDefinition[VettingSettings, SqlVettingUnitOfWork] = ServiceDefinition(
    name="vetting",
    title="IMET Vetting service",
    description=(
        "Leahy human-rights vetting of IMET candidates and their units: one case per submitted "
        "nomination, automatic checks (prior approval reuse, derogatory-unit registry, possible "
        "duplicates), vetters' decisions with an optional two-person rule, turnaround in working "
        "days, approval validity and re-vetting. Events on `imet.vetting.events` carry no personal "
        "data; a vetter reads the person's details from the nomination API (ADR 0020)."
    ),
    api_prefix="/api/v1/vetting",
    settings_factory=VettingSettings,
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=SqlVettingUnitOfWork,
    routers=routers,
    # Bound when the consumer is built (at process start), with the settings of then.
    reactions=lambda: flow.reactions_of("vetting", reactions, **_dependencies(VettingSettings())),
    jobs=jobs,
    openapi_tags=[
        {"name": "cases", "description": "Vetting cases: one per submitted nomination."},
        {"name": "decisions", "description": "Vetters' decisions and two-person confirmations."},
        {"name": "registry", "description": "Units with credible derogatory information."},
        {"name": "units", "description": "Security-force units' registry identity."},
        {"name": "statistics", "description": "Workload and turnaround."},
    ],
    extra={"clock": office_clock},
)
