"""Use cases of the derogatory-information registry: list a unit, record its remediation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from vetting.domain.errors import RegistryEntryNotFound, UnitAlreadyListed
from vetting.domain.moment import Moment
from vetting.domain.registry import RegistryEntry
from vetting.service_layer.lookback import review_members
from vetting.service_layer.unit_of_work import VettingUnitOfWork
from vetting.service_layer.units import unit_for_listing


@dataclass(frozen=True)
class AddRegistryEntry:
    country: str
    unit_name: str | None
    source_reference: str
    summary: str | None
    unit_id: UUID | None = None
    parent_unit_id: UUID | None = None
    include_subunits: bool = False


@dataclass(frozen=True)
class RemediateRegistryEntry:
    remediation_notes: str
    remediation_reference: str | None


def _snapshot(entry: RegistryEntry) -> dict[str, Any]:
    data = asdict(entry)
    return {
        k: (str(v) if v is not None and not isinstance(v, str | int) else v)
        for k, v in data.items()
    }


async def add_registry_entry(
    uow: VettingUnitOfWork, command: AddRegistryEntry, now: Moment
) -> RegistryEntry:
    """Put a unit on the registry: from now on it blocks the vetting of every member.

    The unit is named by its registry identity (`unit_id`), or by country, name and optional
    parent (registered now if new). A unit has at most one active entry. New cases of its
    members are denied or held for review; approvals are refused until remediation is
    recorded; and approvals its members already hold are suspended at once (`lookback`).
    """
    unit = await unit_for_listing(
        uow, unit_id=command.unit_id, country=command.country, name=command.unit_name,
        parent_id=command.parent_unit_id, now=now,
    )  # fmt: skip
    existing = await uow.registry.active_on_unit(unit.id)
    if existing is not None:
        raise UnitAlreadyListed(
            "The unit already has an active registry entry.", registry_entry_id=str(existing)
        )
    entry = RegistryEntry(
        id=uuid.uuid4(),
        country=command.country,
        unit_name=unit.name,
        source_reference=command.source_reference,
        summary=command.summary,
        added_by=uow.actor.subject,
        added_at=now.at,
        unit_id=unit.id,
        include_subunits=command.include_subunits,
    )
    await uow.registry.add(entry)
    uow.audit("registry.added", "derogatory_unit", str(entry.id), after=_snapshot(entry))
    await review_members(uow, entry, unit, now)
    await uow.commit()
    return entry


async def extend_registry_entry(
    uow: VettingUnitOfWork,
    entry_id: UUID,
    now: Moment,
    check: Callable[[UUID, int], None] | None = None,
) -> RegistryEntry:
    """Extend an active entry to the unit's subunits: their members are blocked too, and the
    approvals they already hold are suspended at once (registry look-back). Audited."""
    entry = await uow.registry.get(entry_id, lock=True)
    if entry is None:
        raise RegistryEntryNotFound(f"No registry entry {entry_id}.")
    if check is not None:
        check(entry.id, entry.version)
    if entry.include_subunits:
        return entry
    extended = entry.extend_to_subunits()
    await uow.registry.save(extended, entry.version)
    uow.audit(
        "registry.extended", "derogatory_unit", str(entry.id),
        before=_snapshot(entry), after=_snapshot(extended),
    )  # fmt: skip
    assert extended.unit_id is not None  # every entry names its unit (migration vetting_0004)
    unit = await uow.units.get(extended.unit_id)
    assert unit is not None  # a foreign key guarantees it
    await review_members(uow, extended, unit, now)
    await uow.commit()
    return extended


async def remediate_registry_entry(
    uow: VettingUnitOfWork,
    entry_id: UUID,
    command: RemediateRegistryEntry,
    now: Moment,
    check: Callable[[UUID, int], None] | None = None,
) -> RegistryEntry:
    """Record remediation: the unit stops blocking; the entry stays in the history.

    Removing a unit from the registry is this and nothing else: entries are never deleted.
    """
    entry = await uow.registry.get(entry_id, lock=True)
    if entry is None:
        raise RegistryEntryNotFound(f"No registry entry {entry_id}.")
    if check is not None:
        check(entry.id, entry.version)
    remediated = entry.remediate(
        notes=command.remediation_notes,
        reference=command.remediation_reference,
        by=uow.actor.subject,
        at=now.at,
    )
    await uow.registry.save(remediated, entry.version)
    uow.audit(
        "registry.remediated",
        "derogatory_unit",
        str(entry.id),
        before=_snapshot(entry),
        after=_snapshot(remediated),
    )
    await uow.commit()
    return remediated
