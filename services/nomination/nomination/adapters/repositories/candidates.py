"""Candidates (International Military Students) of the nomination schema."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nomination.adapters.tables import candidate
from nomination.domain.candidate import Candidate
from nomination.domain.errors import ConstraintViolated


class CandidateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> Candidate | None:
        """Insert a candidate; None when (country, passport number) is already taken."""
        stmt = (
            insert(candidate)
            .values(**values, version=1)
            .on_conflict_do_nothing(
                index_elements=[candidate.c.country, candidate.c.passport_number]
            )
            .returning(*candidate.c)
        )
        return _candidate((await self.session.execute(stmt)).first())

    async def get(self, candidate_id: UUID, *, for_update: bool = False) -> Candidate | None:
        stmt = select(candidate).where(candidate.c.id == candidate_id)
        if for_update:
            stmt = stmt.with_for_update()
        return _candidate((await self.session.execute(stmt)).first())

    async def by_passport(self, country: str, passport_number: str) -> Candidate | None:
        stmt = select(candidate).where(
            candidate.c.country == country, candidate.c.passport_number == passport_number
        )
        return _candidate((await self.session.execute(stmt)).first())

    async def by_passports(self, country: str, passport_numbers: list[str]) -> list[Candidate]:
        if not passport_numbers:
            return []
        stmt = select(candidate).where(
            candidate.c.country == country, candidate.c.passport_number.in_(passport_numbers)
        )
        return [candidate_of(row) for row in await self.session.execute(stmt)]

    async def update(
        self, candidate_id: UUID, version: int, values: dict[str, Any]
    ) -> Candidate | None:
        """Write `values` if the candidate is still at `version`; None when someone else won."""
        stmt = (
            update(candidate)
            .where(candidate.c.id == candidate_id, candidate.c.version == version)
            .values(**values, version=version + 1, updated_at=datetime.now(UTC))
            .returning(*candidate.c)
        )
        try:
            row = (await self.session.execute(stmt)).first()
        except IntegrityError as exc:
            raise ConstraintViolated(str(exc.orig)) from exc
        return _candidate(row)


def _candidate(row: Row[Any] | None) -> Candidate | None:
    return None if row is None else candidate_of(row)


def candidate_of(row: Row[Any]) -> Candidate:
    """The domain's view of a candidate row."""
    return Candidate(**row._mapping)
