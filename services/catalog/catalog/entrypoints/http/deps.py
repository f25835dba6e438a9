"""Dependencies of the catalog routes: runtime, path parameters, preconditions, policies
(who may call a route: `catalog.entrypoints.authorization`).

Every dependency is `async def`: FastAPI runs a plain `def` dependency in a worker thread, a
thread hop per dependency per request that the read-path profile showed (ADR 0120).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from catalog.adapters.read_cache import ReadCache
from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.domain.course import EimetPolicy
from catalog.domain.masl import MASL_RULE, validate_masl
from catalog.domain.seats import HoldPolicy
from catalog.service_layer.unit_of_work import VersionCheck
from catalog.settings import CatalogSettings
from shared.http.etag import IfMatchHeader, etag_for
from shared.runtime import ServiceRuntime

PREFIX = "/api/v1/catalog"

CatalogRuntime = ServiceRuntime[CatalogSettings, SqlCatalogUnitOfWork]


async def get_runtime(request: Request) -> CatalogRuntime:
    runtime: CatalogRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[CatalogRuntime, Depends(get_runtime)]


async def masl_path(
    masl_id: Annotated[
        str,
        Path(
            max_length=20,
            description=MASL_RULE,
            examples=["D177014"],
            json_schema_extra={"pattern": "^[BDPMZQ][0-9]{6}$"},
        ),
    ],
) -> str:
    """The MASL number of the path; 422 `invalid-masl-number` when malformed."""
    return validate_masl(masl_id)


MaslPath = Annotated[str, Depends(masl_path)]


async def version_check(
    if_match: IfMatchHeader,
    _documented: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Required: the ETag of the version you read (412 if it changed since)",
            examples=['"252708fc809fd756f9b1"'],
        ),
    ] = None,
) -> VersionCheck:
    """The request's If-Match, checked by the use case against the version it locked."""

    def check(resource_id: object, version: int) -> None:
        if_match.check(etag_for(resource_id, version))

    return check


IfMatchCheck = Annotated[VersionCheck, Depends(version_check)]


async def eimet_policy(runtime: RuntimeDep) -> EimetPolicy:
    policy: EimetPolicy = runtime.settings.eimet_policy()
    return policy


async def seat_policy(runtime: RuntimeDep) -> HoldPolicy:
    policy: HoldPolicy = runtime.settings.hold_policy()
    return policy


EimetPolicyDep = Annotated[EimetPolicy, Depends(eimet_policy)]
HoldPolicyDep = Annotated[HoldPolicy, Depends(seat_policy)]


async def read_cache(runtime: RuntimeDep) -> ReadCache:
    """The process's cache of rendered course reads (`catalog.adapters.read_cache`)."""
    cache: ReadCache | None = runtime.state.get("read_cache")
    if cache is None:
        cache = ReadCache(
            runtime.dsn,
            runtime.settings.db_schema,
            timeout_seconds=runtime.settings.db_command_timeout_seconds,
        )
        runtime.state["read_cache"] = cache
        runtime.closers.append(cache.aclose)
    return cache


ReadCacheDep = Annotated[ReadCache, Depends(read_cache)]
