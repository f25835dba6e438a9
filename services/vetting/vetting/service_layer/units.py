"""Use cases of units' registry identity: register a unit, find or make one, link a case.

Vetting owns unit identity (ADR 0063): it keeps the registry the identity serves, and every
other service learns units from `vetting.unit_registered`.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from vetting.domain.errors import UnitCountryMismatch, UnitExists, UnitNotFound
from vetting.domain.moment import Moment
from vetting.domain.units import Link, Unit, UnitMatch, link_by_name
from vetting.service_layer.unit_of_work import VettingUnitOfWork


@dataclass(frozen=True)
class RegisterUnit:
    country: str
    name: str
    parent_id: UUID | None = None


def _view(item: Unit) -> dict[str, str | None]:
    return {
        "country": item.country,
        "name": item.name,
        "parent_id": str(item.parent_id) if item.parent_id else None,
    }


async def _parent(uow: VettingUnitOfWork, country: str, parent_id: UUID | None) -> None:
    if parent_id is None:
        return
    parent = await uow.units.get(parent_id)
    if parent is None:
        raise UnitNotFound(f"No unit {parent_id}.", field="parent_unit_id")
    if parent.country != country:
        raise UnitCountryMismatch("A unit's parent is a unit of the same country.")


async def _insert(
    uow: VettingUnitOfWork, country: str, name: str, parent_id: UUID | None, now: Moment
) -> Unit | None:
    """Stage a new unit; None when its identity is taken (also by a concurrent writer)."""
    await _parent(uow, country, parent_id)
    item = Unit.register(
        country=country, name=name, parent_id=parent_id, at=now.at, by=uow.actor.subject
    )
    if not await uow.units.add(item):
        return None
    uow.audit("unit.registered", "unit", str(item.id), after=_view(item))
    return item


async def register_unit(uow: VettingUnitOfWork, command: RegisterUnit, now: Moment) -> Unit:
    """Give a security-force unit its registry identity: country, name (compared ignoring case
    and spacing) and optional parent unit of the same country; unique together (409 with the
    existing unit's id). Published (`unit_registered`) so candidates can reference it."""
    country, name, parent_id = command.country, command.name, command.parent_id
    item = await _insert(uow, country, name, parent_id, now)
    if item is None:
        existing = await uow.units.find(country, name, parent_id)
        raise UnitExists(
            "This unit is registered already.", unit_id=str(existing.id) if existing else None
        )
    await uow.commit()
    return item


async def unit_for_listing(
    uow: VettingUnitOfWork,
    *,
    unit_id: UUID | None,
    country: str,
    name: str | None,
    parent_id: UUID | None,
    now: Moment,
) -> Unit:
    """The unit a registry entry names: by id, or found (or registered now) by its identity."""
    if unit_id is not None:
        item = await uow.units.get(unit_id)
        if item is None:
            raise UnitNotFound(f"No unit {unit_id}.", field="unit_id")
        if item.country != country:
            raise UnitCountryMismatch(f"Unit {unit_id} is a unit of {item.country}.")
        return item
    assert name is not None  # the request needs one of the two
    found = await uow.units.find(country, name, parent_id)
    if found is not None:
        return found
    created = await _insert(uow, country, name, parent_id, now)
    found = created or await uow.units.find(country, name, parent_id)
    assert found is not None  # inserted now, or by the concurrent writer that won
    return found


async def link_for(
    uow: VettingUnitOfWork, *, country: str, unit_name: str, unit_id: UUID | None
) -> Link:
    """How a case of this country and unit is linked to the registry's identity."""
    if unit_id is not None:
        item = await uow.units.get(unit_id)
        if item is not None and item.country == country:
            return Link(item.id, UnitMatch.REGISTERED)
    return link_by_name(await uow.units.named(country, unit_name))
