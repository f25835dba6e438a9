"""The one place that wires the vetting service: unit of work, HTTP routes, reactions, jobs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from shared.contracts.envelope import IntegrationEvent
from shared.runtime import Reaction, ServiceDefinition
from vetting.adapters.tables import metadata, platform
from vetting.entrypoints.http.routes import routers
from vetting.entrypoints.jobs import jobs
from vetting.service_layer.reactions import VettingReactions
from vetting.service_layer.unit_of_work import VettingUnitOfWork
from vetting.settings import VettingSettings


def _reactions() -> Mapping[type[IntegrationEvent], Reaction]:
    # Reactions are built when the consumer is (at process start), with the settings of then.
    return VettingReactions(VettingSettings()).mapping()


definition: ServiceDefinition[VettingSettings, VettingUnitOfWork] = ServiceDefinition(
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
    uow_class=VettingUnitOfWork,
    routers=routers,
    reactions=_reactions,
    jobs=jobs,
    openapi_tags=[
        {"name": "cases", "description": "Vetting cases: one per submitted nomination."},
        {"name": "decisions", "description": "Vetters' decisions and two-person confirmations."},
        {"name": "registry", "description": "Units with credible derogatory information."},
        {"name": "units", "description": "Security-force units' registry identity."},
        {"name": "statistics", "description": "Workload and turnaround."},
    ],
)
