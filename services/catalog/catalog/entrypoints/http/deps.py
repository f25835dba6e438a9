"""Dependencies of the catalog routes: runtime, roles, path parameters, preconditions, policies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, Header, Path, Request

from catalog.domain.course import EimetPolicy
from catalog.domain.masl import MASL_RULE, validate_masl
from catalog.domain.seats import HoldPolicy
from catalog.service_layer.reactions import hold_policy
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from catalog.service_layer.versioning import VersionCheck
from catalog.settings import CatalogSettings
from shared.auth.principal import Principal, Role
from shared.http.auth import require_roles
from shared.http.etag import IfMatchHeader, etag_for
from shared.runtime import ServiceRuntime

PREFIX = "/api/v1/catalog"

CatalogRuntime = ServiceRuntime[CatalogSettings, CatalogUnitOfWork]


def get_runtime(request: Request) -> CatalogRuntime:
    runtime: CatalogRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[CatalogRuntime, Depends(get_runtime)]
Manager = Annotated[Principal, Depends(require_roles(Role.CATALOG_MANAGER))]
SeatReader = Annotated[Principal, Depends(require_roles(Role.CATALOG_MANAGER, Role.AUDITOR))]


def masl_path(
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


def version_check(
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


def eimet_policy(runtime: RuntimeDep) -> EimetPolicy:
    policy: EimetPolicy = runtime.settings.eimet_policy()
    return policy


def seat_policy(runtime: RuntimeDep) -> HoldPolicy:
    return hold_policy(runtime.settings)


EimetPolicyDep = Annotated[EimetPolicy, Depends(eimet_policy)]
HoldPolicyDep = Annotated[HoldPolicy, Depends(seat_policy)]


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_today() -> date:
    return utc_now().date()
