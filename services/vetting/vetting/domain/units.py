"""Units' registry identity, how a case is linked to one, and which listings cover a unit.

A unit's identity is its country, its name normalized (`registry.unit_key`: NFKC, case-folded,
spacing collapsed) and its parent unit, if any: "1st Battalion" of the 2nd Brigade and "1st
Battalion" of the 5th are two units. Candidates reference units by id, so a listing reaches its
members reliably. A candidate named only by free text is linked by name when exactly one unit
of the country has that name (`by_name`); otherwise the case carries a flag for the vetter:
`unregistered` (no such unit) or `ambiguous` (several). A registry entry covers its unit, and
the unit's subunits too when it says so (`include_subunits`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from vetting.domain.events import DomainEvent, UnitRegistered
from vetting.domain.registry import unit_key


class UnitMatch(StrEnum):
    REGISTERED = "registered"
    BY_NAME = "by_name"
    UNREGISTERED = "unregistered"
    AMBIGUOUS = "ambiguous"


# A case linked this way reaches its unit's listings by identity.
LINKED = frozenset({UnitMatch.REGISTERED, UnitMatch.BY_NAME})


@dataclass(frozen=True)
class Unit:
    id: UUID
    country: str
    name: str
    parent_id: UUID | None
    created_at: datetime
    created_by: str
    version: int = 1
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(
        cls, *, country: str, name: str, parent_id: UUID | None, at: datetime, by: str
    ) -> Unit:
        """A new unit identity; published so every service can reference it."""
        unit = cls(uuid.uuid4(), country, name, parent_id, at, by)
        unit.events.append(
            UnitRegistered(
                unit_id=unit.id, country=country, unit_name=name, parent_unit_id=parent_id,
                registered_at=at,
            )
        )  # fmt: skip
        return unit

    @property
    def name_key(self) -> str:
        return unit_key(self.name)


@dataclass(frozen=True)
class Link:
    """How a case is linked to a unit."""

    unit_id: UUID | None
    match: UnitMatch


def link_by_name(named: Sequence[UUID]) -> Link:
    """The link of a case named by free text, given the ids of the country's units with that
    name: one is a link, none or several a flag for the vetter."""
    if len(named) == 1:
        return Link(named[0], UnitMatch.BY_NAME)
    return Link(None, UnitMatch.AMBIGUOUS if named else UnitMatch.UNREGISTERED)


@dataclass(frozen=True)
class Listing:
    """An active registry entry as the coverage rule sees it."""

    entry_id: UUID
    unit_id: UUID
    include_subunits: bool


def covering(listings: Sequence[Listing], lineage: Sequence[UUID]) -> UUID | None:
    """The entry that blocks a unit, given its lineage (the unit first, then its parent, ...):
    an entry on the unit itself, or on an ancestor when the entry covers subunits."""
    for depth, unit_id in enumerate(lineage):
        for listing in listings:
            if listing.unit_id == unit_id and (depth == 0 or listing.include_subunits):
                return listing.entry_id
    return None
