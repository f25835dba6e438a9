"""What the nomination tables hold, in memory: one `NominationStore` per test.

Each unit of work works on a copy (`snapshot`) and only `commit()` writes it back, like a
transaction; a savepoint restores the copy it took. The stored values are the immutable domain
objects the SQL repositories return, so a copy of the dicts is a copy of the state.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any
from uuid import UUID

from nomination.domain.candidate import Candidate
from nomination.domain.import_job import ImportJob, LineResult
from nomination.domain.nomination import HistoryEntry, Nomination
from nomination.domain.reference import (
    ClassFacts,
    Country,
    CountryRevision,
    CourseFacts,
    Unit,
)
from nomination.domain.travel_order import TravelOrder


@dataclass
class StoredClass:
    facts: ClassFacts
    version: int
    cancelled: bool = False


@dataclass
class NominationStore:
    nominations: dict[UUID, Nomination] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    candidates: dict[UUID, Candidate] = field(default_factory=dict)
    orders: dict[UUID, TravelOrder] = field(default_factory=dict)
    serials: dict[str, int] = field(default_factory=dict)
    courses: dict[str, tuple[CourseFacts, int]] = field(default_factory=dict)
    classes: dict[UUID, StoredClass] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    revisions: list[CountryRevision] = field(default_factory=list)
    units: dict[UUID, Unit] = field(default_factory=dict)
    import_jobs: dict[UUID, ImportJob] = field(default_factory=dict)
    import_leases: dict[UUID, float] = field(default_factory=dict)  # time.monotonic() deadline
    # (job id, line) -> (the row as uploaded or None once done, its result or None: pending)
    import_rows: dict[tuple[UUID, int], tuple[Any, LineResult | None]] = field(default_factory=dict)

    def snapshot(self) -> NominationStore:
        copied: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "classes":
                value = {k: replace(v) for k, v in value.items()}
            copied[f.name] = type(value)(value)
        return NominationStore(**copied)

    def restore(self, other: NominationStore) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(other, f.name))
