"""The one place that wires the nomination service: unit of work, HTTP routes, reactions, jobs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from nomination.adapters.tables import metadata, nomination, platform
from nomination.adapters.unit_of_work import SqlNominationUnitOfWork
from nomination.entrypoints.http.routes import routers
from nomination.entrypoints.jobs import import_jobs_job
from nomination.entrypoints.reactions import reactions
from nomination.seed import seed
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from nomination.settings import NominationSettings
from shared.contracts.envelope import IntegrationEvent
from shared.runtime import Reaction, ServiceDefinition


def utc_clock() -> datetime:
    """The one place the nomination service reads the time: its units of work give it to the
    use cases (`uow.clock`), the entrypoints take `today` from it (`entrypoints.clock`)."""
    return datetime.now(UTC)


def _reactions() -> Mapping[type[IntegrationEvent], Reaction]:
    # Built when the consumer is (at process start), with the settings of then.
    return reactions(NominationSettings().config().rules)


def _is_a_nomination_unit_of_work(uow: SqlNominationUnitOfWork) -> NominationUnitOfWork:
    # Checked by mypy: the SQL unit of work gives the use cases what their interface lists.
    return uow


definition: ServiceDefinition[NominationSettings, SqlNominationUnitOfWork] = ServiceDefinition(
    name="nomination",
    title="IMET Nomination service",
    description=(
        "Candidates (International Military Students) and their nominations to U.S. course "
        "classes, from draft through vetting, funding and seat confirmation to the Invitational "
        "Travel Order and training. The process manager of the IMET pipeline (ADR 0004)."
    ),
    api_prefix="/api/v1/nominations",
    settings_factory=NominationSettings,
    metadata=metadata,
    tables=platform,
    migrations_dir=Path(__file__).resolve().parent.parent / "migrations",
    uow_class=SqlNominationUnitOfWork.with_clock(utc_clock),
    routers=routers,
    reactions=_reactions,
    jobs=lambda: [import_jobs_job],
    openapi_tags=[
        {"name": "nominations", "description": "Nominations and their state machine"},
        {"name": "candidates", "description": "International Military Students (personal data)"},
        {"name": "travel-orders", "description": "Invitational Travel Orders: gate, versions, PDF"},
        {"name": "imports", "description": "A country's program as one upload, worked as a job"},
        {"name": "countries", "description": "Sanctions and ECL exemptions (reference data)"},
    ],
    extra={
        "seed": seed,
        "clock": utc_clock,
        # Nominations per state on /metrics (imet_aggregates_by_state, ADR 0095).
        "state_counts": {
            "nomination": select(nomination.c.status, func.count()).group_by(nomination.c.status)
        },
    },
)
