"""A tiny service used only by the platform's own tests.

It exercises the shared machinery (unit of work + outbox, relay, consumer + inbox + offsets,
DLQ, idempotency, problem+json) without depending on any business service. Its reaction
records each applied event in `probe_effect`; an event with `fail=True` makes it raise.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, DateTime, Integer, String, Table, func, insert, select, text

from shared.contracts.envelope import Envelope, IntegrationEvent
from shared.db.metadata import make_metadata
from shared.db.platform_tables import platform_tables
from shared.db.uow import SqlUnitOfWork
from shared.errors import Conflict
from shared.http.auth import CurrentPrincipal
from shared.runtime import ServiceDefinition
from shared.settings import ServiceSettings

metadata = make_metadata("probe")
tables = platform_tables(metadata)
probe_effect = Table(
    "probe_effect",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("value", Integer, nullable=False),
    Column("applied_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
)


class ProbeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore", frozen=True)
    db_schema: str = "probe"
    http_port: int = 0


class ThingHappenedV1(IntegrationEvent):
    """A test event: something happened to thing `key`."""

    TYPE: ClassVar[str] = "imet.probe.thing_happened.v1"
    TOPIC: ClassVar[str] = "imet.probe.events"
    AGGREGATE: ClassVar[str] = "thing"
    KEY_FIELD: ClassVar[str] = "key"

    key: str
    value: int
    fail: bool = False
    #: The reaction's statement is cancelled by a statement timeout every time (SQLSTATE 57014).
    stall: bool = False
    #: The reaction casts the key to an integer: the database error message quotes the key.
    cast_key: bool = False


class ProbeUnitOfWork(SqlUnitOfWork):
    pass


async def record_things(uow: SqlUnitOfWork, items: list[tuple[str, int]]) -> None:
    """Publish one event per (key, value) in one transaction."""
    for key, value in items:
        uow.publish(ThingHappenedV1(key=key, value=value))
    await uow.commit()


async def when_thing_happened_record_it(
    event: ThingHappenedV1, envelope: Envelope, uow: SqlUnitOfWork
) -> None:
    await uow.session.execute(
        insert(probe_effect).values(event_id=envelope.id, key=event.key, value=event.value)
    )
    delay = float(os.environ.get("PROBE_REACTION_DELAY", "0"))
    if delay:
        import asyncio

        await asyncio.sleep(delay)
    if event.fail:
        raise RuntimeError("the probe was asked to fail")
    if event.stall:
        await uow.session.execute(text("SET LOCAL statement_timeout = '50ms'"))
        await uow.session.execute(text("SELECT pg_sleep(2)"))
    if event.cast_key:
        await uow.session.execute(
            text("SELECT CAST(CAST(:key AS text) AS integer)"), {"key": event.key}
        )
    await uow.commit()  # as real use cases do: the consumer must keep its batch one transaction


class ThingIn(BaseModel):
    key: str = Field(min_length=1, max_length=50)
    value: int = Field(ge=0, le=1_000_000)


class ThingOut(BaseModel):
    key: str
    value: int
    count: int


def _router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/probe", tags=["probe"])

    def runtime(request: Request) -> Any:
        return request.app.state.runtime

    @router.post("/things", status_code=201, response_model=ThingOut)
    async def create_thing(
        body: ThingIn, principal: CurrentPrincipal, rt: Any = Depends(runtime)
    ) -> ThingOut:
        """Publish a thing event; `value` 13 is refused (a business rule for the tests)."""
        if body.value == 13:
            raise Conflict("13 is unlucky")
        async with rt.uow(principal) as uow:
            uow.audit("thing.created", "thing", body.key, after=body.model_dump())
            await record_things(uow, [(body.key, body.value)])
            count = (
                await uow.session.execute(select(func.count()).select_from(tables.outbox))
            ).scalar_one()
        return ThingOut(key=body.key, value=body.value, count=count)

    return [router]  # type: ignore[return-value]


definition: ServiceDefinition[ProbeSettings, ProbeUnitOfWork] = ServiceDefinition(
    name="probe",
    title="Probe (tests only)",
    description="A service that exists to test the platform.",
    api_prefix="/api/v1/probe",
    settings_factory=ProbeSettings,  # type: ignore[arg-type]
    metadata=metadata,
    tables=tables,
    migrations_dir=Path(__file__).parent / "migrations",
    uow_class=ProbeUnitOfWork,
    routers=_router,  # type: ignore[arg-type]
    reactions=lambda: {ThingHappenedV1: when_thing_happened_record_it},
)
