"""Candidates (International Military Students) of the nomination schema."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from nomination.adapters.tables import candidate
from nomination.domain.candidate import EnglishTestResult, Person


class CandidateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> Row[Any] | None:
        """Insert a candidate; None when (country, passport number) is already taken."""
        stmt = (
            insert(candidate)
            .values(**values, version=1)
            .on_conflict_do_nothing(
                index_elements=[candidate.c.country, candidate.c.passport_number]
            )
            .returning(*candidate.c)
        )
        return (await self.session.execute(stmt)).first()

    async def get(self, candidate_id: UUID, *, for_update: bool = False) -> Row[Any] | None:
        stmt = select(candidate).where(candidate.c.id == candidate_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).first()

    async def by_passport(self, country: str, passport_number: str) -> Row[Any] | None:
        stmt = select(candidate).where(
            candidate.c.country == country, candidate.c.passport_number == passport_number
        )
        return (await self.session.execute(stmt)).first()

    async def update(
        self, candidate_id: UUID, version: int, values: dict[str, Any]
    ) -> Row[Any] | None:
        """Write `values` if the candidate is still at `version`; None when someone else won."""
        stmt = (
            update(candidate)
            .where(candidate.c.id == candidate_id, candidate.c.version == version)
            .values(**values, version=version + 1, updated_at=datetime.now(UTC))
            .returning(*candidate.c)
        )
        return (await self.session.execute(stmt)).first()


def english_tests_of(raw: list[dict[str, Any]]) -> tuple[EnglishTestResult, ...]:
    return tuple(
        EnglishTestResult(
            test=t["test"], score=int(t["score"]), taken_on=date.fromisoformat(t["taken_on"])
        )
        for t in raw
    )


def person_of(row: Row[Any]) -> Person:
    """The domain's view of a candidate row."""
    return Person(
        family_names=row.family_names,
        given_names=row.given_names,
        country=row.country,
        sex=row.sex,
        date_of_birth=row.date_of_birth,
        place_of_birth=row.place_of_birth,
        service=row.service,
        rank=row.rank,
        pay_grade=row.pay_grade,
        unit_name=row.unit_name,
        position=row.position,
        passport_number=row.passport_number,
        english_tests=english_tests_of(row.english_tests),
    )
