"""In-memory candidates (the twin of adapters/repositories/candidates.py): one per passport and
country (`add` answers None, `update` raises `ConstraintViolated`, as PostgreSQL would)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from nomination.domain.candidate import Candidate
from nomination.domain.errors import ConstraintViolated
from services.nomination.tests.unit.fakes.store import NominationStore


class MemoryCandidates:
    def __init__(self, store: NominationStore) -> None:
        self.store = store

    def _taken(self, c: Candidate) -> bool:
        return c.passport_number is not None and any(
            (o.country, o.passport_number) == (c.country, c.passport_number) and o.id != c.id
            for o in self.store.candidates.values()
        )

    async def add(self, values: dict[str, Any]) -> Candidate | None:
        now = datetime.now(UTC)
        c = Candidate(**{"created_at": now, "updated_at": now, **values, "version": 1})
        if self._taken(c):
            return None
        self.store.candidates[c.id] = c
        return c

    async def get(self, candidate_id: UUID, *, for_update: bool = False) -> Candidate | None:
        return self.store.candidates.get(candidate_id)

    async def by_passports(self, country: str, passport_numbers: list[str]) -> list[Candidate]:
        wanted = set(passport_numbers)
        return [
            c
            for c in self.store.candidates.values()
            if c.country == country and c.passport_number in wanted
        ]

    async def by_passport(self, country: str, passport_number: str) -> Candidate | None:
        for c in self.store.candidates.values():
            if (c.country, c.passport_number) == (country, passport_number):
                return c
        return None

    async def update(
        self, candidate_id: UUID, version: int, values: dict[str, Any]
    ) -> Candidate | None:
        current = self.store.candidates.get(candidate_id)
        if current is None or current.version != version:
            return None
        new = replace(current, **values, version=version + 1, updated_at=datetime.now(UTC))
        if self._taken(new):
            raise ConstraintViolated("candidate_country_passport_number_key")
        self.store.candidates[new.id] = new
        return new
