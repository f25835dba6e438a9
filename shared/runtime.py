"""What a service is made of, and the live resources of one running service process.

A service's `bootstrap.py` declares a `ServiceDefinition` (the one place that wires its unit of
work, HTTP routers, event reactions and periodic jobs). `ServiceRuntime` is built from it when
a process starts: settings, engine, sessions, admission gate, token verifier.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from shared.auth.principal import Principal
from shared.contracts.envelope import IntegrationEvent
from shared.db.admission import TransactionGate
from shared.db.engine import (
    create_engine,
    plain_dsn,
    read_engine,
    read_session_factory,
    session_factory,
)
from shared.db.platform_tables import PlatformTables
from shared.db.uow import SqlUnitOfWork
from shared.settings import ServiceSettings

if TYPE_CHECKING:
    from fastapi import APIRouter


S = TypeVar("S", bound=ServiceSettings)
U = TypeVar("U", bound=SqlUnitOfWork)

Reaction = Callable[[Any, Any, Any], Awaitable[None]]
Job = Callable[["ServiceRuntime[Any, Any]", asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class ServiceDefinition(Generic[S, U]):
    name: str
    title: str
    description: str
    api_prefix: str
    settings_factory: Callable[[], S]
    metadata: MetaData
    tables: PlatformTables
    migrations_dir: Path
    uow_class: type[U]
    routers: Callable[[], Sequence[APIRouter]]
    reactions: Callable[[], Mapping[type[IntegrationEvent], Reaction]] = dict
    jobs: Callable[[], Sequence[Job]] = tuple
    openapi_tags: Sequence[dict[str, str]] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        schema = self.metadata.schema
        assert schema is not None
        return str(schema)


class ServiceRuntime(Generic[S, U]):
    """Resources of one service process; build with `ServiceRuntime.create` and `aclose()` it."""

    def __init__(self, definition: ServiceDefinition[S, U], settings: S) -> None:
        from shared.auth.configured import verifier_from_settings

        self.definition = definition
        self.settings = settings
        self.platform = settings.platform
        self.engine: AsyncEngine = create_engine(
            settings.database_url.get_secret_value(),
            schema=settings.db_schema,
            application_name=f"imet-{definition.name}",
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_overflow,
            lock_timeout_seconds=settings.db_lock_timeout_seconds,
            command_timeout_seconds=settings.db_command_timeout_seconds,
        )
        self.gate = TransactionGate(
            service=definition.name,
            limit=settings.admission_limit,
            wait_seconds=settings.db_queue_timeout_seconds,
        )
        self.sessions: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        #: Autocommit sessions for read-only requests (no BEGIN/ROLLBACK; one snapshot a statement).
        self.read_sessions: async_sessionmaker[AsyncSession] = read_session_factory(self.engine)
        self._read_engine = read_engine(self.engine)
        self.dsn = plain_dsn(settings.database_url.get_secret_value())
        self.verifier = verifier_from_settings(self.platform)
        self.state: dict[str, Any] = {}
        #: Run by `aclose()` before the engine goes (e.g. the metrics' broker client).
        self.closers: list[Callable[[], Awaitable[None]]] = []

    def uow(self, actor: Principal, cause_event_id: str | None = None) -> U:
        return self.definition.uow_class(
            self.sessions,
            service=self.definition.name,
            tables=self.definition.tables,
            actor=actor,
            cause_event_id=cause_event_id,
            gate=self.gate,
        )

    def read_connection(self) -> AsyncConnection:
        """`async with runtime.read_connection() as conn`: a Core connection in autocommit for
        a hot read of one statement (no ORM session: ADR 0155)."""
        return self._read_engine.connect()

    async def aclose(self) -> None:
        for close in self.closers:
            await close()
        await self.engine.dispose()
