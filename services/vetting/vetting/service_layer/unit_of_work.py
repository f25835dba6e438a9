"""What a vetting use case may use: one transaction with these repositories and the audit trail.

An interface (structural: `typing.Protocol`), implemented by `adapters.unit_of_work`
(PostgreSQL) and by the fast tier's `tests/unit/fakes.py` (memory). Repositories return domain
objects. Nothing here publishes: the aggregates raise domain events, and the unit of work turns
them into the published contracts when it commits (`adapters.publishing`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from shared.auth.principal import Principal
from vetting.domain.case import VettingCase
from vetting.domain.checks import FingerprintMatch
from vetting.domain.registry import RegistryEntry
from vetting.domain.units import Unit
from vetting.domain.validity import PriorApproval


class CaseRepository(Protocol):
    async def add(self, case: VettingCase, now: datetime) -> bool:
        """Store a new case; False (nothing stored) when its nomination has one already."""

    async def get(self, case_id: UUID, *, lock: bool = False) -> VettingCase | None:
        """The case with its history; `lock`: held until the transaction ends."""

    async def get_by_nomination(
        self, nomination_id: UUID, *, lock: bool = False
    ) -> VettingCase | None: ...

    async def save(self, case: VettingCase, now: datetime) -> None:
        """Append what is new in the history; ConcurrentModification when the version moved."""

    async def valid_approvals(self, candidate_id: UUID, on: date) -> list[PriorApproval]:
        """The candidate's approved cases still valid `on`."""

    async def fingerprint_matches(
        self, fingerprint: str, other_than: UUID, limit: int = 5
    ) -> list[FingerprintMatch]:
        """The newest cases of OTHER candidates with this person fingerprint."""

    async def lapsing_approval_ids(self, today: date, lead_days: int, limit: int) -> list[UUID]:
        """Approved cases of open nominations lapsing before the report date within the lead
        window, locked for this transaction (a case someone else holds is skipped)."""

    async def approved_members(
        self, unit_ids: list[UUID], country: str, name: str | None, on: date
    ) -> list[UUID]:
        """Approved cases of open nominations still valid `on` whose unit is one of
        `unit_ids` - or, named by free text only, whose unit name is `name` in `country`."""

    async def link_named_to_unit(self, country: str, name: str, unit_id: UUID) -> int:
        """Cases named only by free text that match this unit get linked to it (`by_name`)."""


class ClosedNominations(Protocol):
    """Nominations withdrawn or cancelled: a late submission opens nothing for them."""

    async def close(self, nomination_id: UUID, reason: str, at: datetime) -> None: ...

    async def is_closed(self, nomination_id: UUID) -> bool: ...


class RegistryRepository(Protocol):
    async def add(self, entry: RegistryEntry) -> None:
        """Store an entry; UnitAlreadyListed when the unit has an active one."""

    async def get(self, entry_id: UUID, *, lock: bool = False) -> RegistryEntry | None: ...

    async def save(self, entry: RegistryEntry, read_version: int) -> None:
        """ConcurrentModification when the entry is no longer at `read_version`."""

    async def active_on_unit(self, unit_id: UUID) -> UUID | None: ...

    async def blocking(self, *, unit_id: UUID | None, country: str, unit_name: str) -> UUID | None:
        """The active entry that blocks a member of this unit: by identity (the unit, or a
        unit above it whose entry covers subunits) when linked, else by name in the country."""


class UnitRepository(Protocol):
    async def add(self, item: Unit) -> bool:
        """Store a unit; False when one with the same identity exists (nothing stored)."""

    async def get(self, unit_id: UUID) -> Unit | None: ...

    async def find(self, country: str, name: str, parent_id: UUID | None) -> Unit | None:
        """The unit with this identity (name compared by its key)."""

    async def named(self, country: str, name: str) -> list[UUID]:
        """The ids of the country's units with this name (any parent)."""

    async def lineage(self, unit_id: UUID) -> list[UUID]:
        """The unit, its parent, the parent's parent... (nearest first)."""

    async def with_subunits(self, unit_id: UUID) -> list[UUID]:
        """The unit and every unit below it."""


class VettingUnitOfWork(Protocol):
    @property
    def actor(self) -> Principal: ...
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def nominations(self) -> ClosedNominations: ...
    @property
    def registry(self) -> RegistryRepository: ...
    @property
    def units(self) -> UnitRepository: ...

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Stage an audit record of a state change (who: `actor`)."""

    async def commit(self) -> None:
        """Keep the changes, the audit records and the events the aggregates raised."""
