"""`/api/v1/vetting/units`: security-force units' registry identity (ADR 0063)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from shared.http.etag import set_etag
from shared.http.pagination import PageQuery
from vetting.adapters import queries
from vetting.domain.errors import UnitNotFound
from vetting.entrypoints.authorization import (
    UnitReader,
    UnitWriter,
    require_own_country,
    scope_country,
)
from vetting.entrypoints.http.deps import NowDep, RuntimeDep
from vetting.entrypoints.http.schemas.common import ONE_LINE, problems
from vetting.entrypoints.http.schemas.units import UnitCreate, UnitPage, UnitPublic, unit_public
from vetting.service_layer import units

router = APIRouter(prefix="/api/v1/vetting/units", tags=["units"])


@router.post("", status_code=201, response_model=UnitPublic, responses=problems(404, 409, 422))
async def register_unit(
    body: UnitCreate,
    principal: UnitWriter,
    runtime: RuntimeDep,
    now: NowDep,
    response: Response,
) -> UnitPublic:
    """Give a security-force unit its registry identity: country, name (compared ignoring case
    and spacing) and optional parent unit. Unique together (409 `unit-exists` with its id).
    Candidates then reference the unit by `unit_id`, so a registry listing reaches its members
    by identity. Vetters, admins, and the SCO of the country. Audited, published
    (`vetting.unit_registered`)."""
    require_own_country(principal, body.country, "register units")
    command = units.RegisterUnit(body.country, body.name, body.parent_unit_id)
    async with runtime.uow(principal) as uow:
        item = await units.register_unit(uow, command, now)
    response.headers["Location"] = f"{router.prefix}/{item.id}"
    set_etag(response, item.id, item.version)
    return unit_public(item)


@router.get("", response_model=UnitPage, responses=problems(400, 422))
async def list_units(
    principal: UnitReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    name: Annotated[
        str | None,
        Query(min_length=1, max_length=300, pattern=ONE_LINE, description="Ignoring case, spacing"),
    ] = None,
    parent_unit_id: UUID | None = None,
) -> UnitPage:
    """Registered units, oldest first; an SCO sees its own country's."""
    scoped, allowed = scope_country(principal, country)
    if not allowed:
        return UnitPage(items=[], next_cursor=None)
    async with runtime.sessions() as session:
        rows, cursor = await queries.list_units(
            session, page, country=scoped, name=name, parent_unit_id=parent_unit_id
        )
    return UnitPage(items=[unit_public(r) for r in rows], next_cursor=cursor)


@router.get("/{unit_id}", response_model=UnitPublic, responses=problems(404, 422))
async def get_unit(unit_id: UUID, principal: UnitReader, runtime: RuntimeDep) -> UnitPublic:
    """One unit (an SCO of another country gets 404)."""
    async with runtime.sessions() as session:
        item = await queries.one_unit(session, unit_id)
    if item is None or not principal.can_see_country(item.country):
        raise UnitNotFound(f"No unit {unit_id}.")
    return unit_public(item)
