"""The derogatory-information registry of security-force units.

A unit with credible information of a gross violation of human rights blocks the vetting of
every member until remediation is recorded. Entries are never deleted: remediation closes an
entry (it stays in the history), and the same unit may be entered again later. At most one
active (unremediated) entry exists per unit and country.

Every entry names a unit by its registry identity (`units.py`), and may cover the unit's
subunits. The unit name's key - Unicode-normalized (NFKC), case-folded, runs of whitespace
collapsed, so "1st  Battalion" and "1ST BATTALION" agree - links free-text names to units.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from vetting.domain.errors import AlreadyRemediated


def unit_key(unit_name: str) -> str:
    """The matching key of a unit name: NFKC, case-folded, whitespace-normalized."""
    return " ".join(unicodedata.normalize("NFKC", unit_name).casefold().split())


@dataclass(frozen=True)
class RegistryEntry:
    id: UUID
    country: str
    unit_name: str
    source_reference: str
    summary: str | None
    added_by: str
    added_at: datetime
    remediated_at: datetime | None = None
    remediated_by: str | None = None
    remediation_notes: str | None = None
    remediation_reference: str | None = None
    version: int = 1
    unit_id: UUID | None = None
    include_subunits: bool = False

    @property
    def unit_key(self) -> str:
        return unit_key(self.unit_name)

    @property
    def active(self) -> bool:
        return self.remediated_at is None

    def matches(self, country: str, unit_name: str) -> bool:
        return self.active and self.country == country and self.unit_key == unit_key(unit_name)

    def extend_to_subunits(self) -> RegistryEntry:
        """The entry now covers the unit's subunits too (their members' approvals are reviewed)."""
        if not self.active:
            raise AlreadyRemediated(f"Registry entry {self.id} was remediated: it blocks nobody.")
        return replace(self, include_subunits=True, version=self.version + 1)

    def remediate(
        self, *, notes: str, reference: str | None, by: str, at: datetime
    ) -> RegistryEntry:
        """Record remediation: the unit no longer blocks vetting; the entry stays in the history."""
        if not self.active:
            raise AlreadyRemediated(f"Registry entry {self.id} was already remediated.")
        return replace(
            self,
            remediated_at=at,
            remediated_by=by,
            remediation_notes=notes,
            remediation_reference=reference,
            version=self.version + 1,
        )
