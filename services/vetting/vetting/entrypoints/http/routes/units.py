"""`/api/v1/vetting/units`: security-force units' registry identity (ADR 0063)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from shared.auth.principal import Principal, Role
from shared.errors import Forbidden
from shared.http.auth import require_roles
from shared.http.etag import set_etag
from shared.http.pagination import PageQuery, paginate
from vetting.adapters.tables import unit
from vetting.domain.errors import UnitNotFound
from vetting.domain.registry import unit_key
from vetting.entrypoints.http.deps import ClockDep, RuntimeDep
from vetting.entrypoints.http.examples import problems
from vetting.entrypoints.http.schemas import ONE_LINE
from vetting.entrypoints.http.unit_schemas import UnitCreate, UnitPage, UnitPublic
from vetting.service_layer import units

router = APIRouter(prefix="/api/v1/vetting/units", tags=["units"])
# SCOs register and read their own country's units (they name the candidates' units).
UnitWriter = Annotated[Principal, Depends(require_roles(Role.VETTER, Role.SCO))]
UnitReader = Annotated[Principal, Depends(require_roles(Role.VETTER, Role.AUDITOR, Role.SCO))]


def _public(row: Any) -> UnitPublic:
    return UnitPublic(
        unit_id=row.id,
        country=row.country,
        name=row.name,
        parent_unit_id=row.parent_id,
        created_at=row.created_at,
    )


@router.post("", status_code=201, response_model=UnitPublic, responses=problems(404, 409, 422))
async def register_unit(
    body: UnitCreate,
    principal: UnitWriter,
    runtime: RuntimeDep,
    clock: ClockDep,
    response: Response,
) -> UnitPublic:
    """Give a security-force unit its registry identity: country, name (compared ignoring case
    and spacing) and optional parent unit. Unique together (409 `unit-exists` with its id).
    Candidates then reference the unit by `unit_id`, so a registry listing reaches its members
    by identity. Vetters, admins, and the SCO of the country. Audited, published
    (`vetting.unit_registered`)."""
    if principal.is_sco_only and principal.country != body.country:
        raise Forbidden(f"An SCO of {principal.country} cannot register units of {body.country}.")
    async with runtime.uow(principal) as uow:
        item = await units.register_unit(uow, body.country, body.name, body.parent_unit_id, clock)
    response.headers["Location"] = f"{router.prefix}/{item.id}"
    set_etag(response, item.id, item.version)
    return UnitPublic(
        unit_id=item.id, country=item.country, name=item.name,
        parent_unit_id=item.parent_id, created_at=item.created_at,
    )  # fmt: skip


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
    if principal.is_sco_only:
        if country is not None and country != principal.country:
            return UnitPage(items=[], next_cursor=None)
        country = principal.country
    stmt = select(unit)
    if country is not None:
        stmt = stmt.where(unit.c.country == country)
    if name is not None:
        stmt = stmt.where(unit.c.name_key == unit_key(name))
    if parent_unit_id is not None:
        stmt = stmt.where(unit.c.parent_id == parent_unit_id)
    async with runtime.sessions() as session:
        rows, cursor = await paginate(session, stmt, page, [unit.c.created_at, unit.c.id])
    return UnitPage(items=[_public(r) for r in rows], next_cursor=cursor)


@router.get("/{unit_id}", response_model=UnitPublic, responses=problems(404, 422))
async def get_unit(unit_id: UUID, principal: UnitReader, runtime: RuntimeDep) -> UnitPublic:
    """One unit (an SCO of another country gets 404)."""
    async with runtime.sessions() as session:
        row = (await session.execute(select(unit).where(unit.c.id == unit_id))).first()
    if row is None or not principal.can_see_country(row.country):
        raise UnitNotFound(f"No unit {unit_id}.")
    return _public(row)
