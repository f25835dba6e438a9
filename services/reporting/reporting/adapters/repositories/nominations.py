"""Nominations and their stays in each state (from `imet.nomination.events`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.adapters.tables import nomination, state_span

DRAFT = "draft"


class SqlNominationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        nomination_id: UUID,
        *,
        country: str,
        fiscal_year: int,
        masl_id: str,
        class_id: UUID,
        candidate_id: UUID | None,
        unit_name: str | None = None,
        at: datetime,
    ) -> None:
        facts = {"country": country, "fiscal_year": fiscal_year, "masl_id": masl_id,
                 "class_id": class_id}  # fmt: skip
        inserted = await self.session.execute(
            pg_insert(nomination)
            .values(nomination_id=nomination_id, candidate_id=candidate_id, state=DRAFT,
                    state_since=at, unit_name=unit_name, **facts)
            .on_conflict_do_nothing(index_elements=[nomination.c.nomination_id])
            .returning(nomination.c.nomination_id)
        )  # fmt: skip
        if inserted.scalar_one_or_none() is not None:
            await self.session.execute(
                insert(state_span).values(nomination_id=nomination_id, state=DRAFT, entered_at=at)
            )
            return
        if candidate_id is not None:
            facts["candidate_id"] = candidate_id
        if unit_name is not None:
            facts["unit_name"] = unit_name
        await self.session.execute(
            update(nomination).where(nomination.c.nomination_id == nomination_id).values(**facts)
        )

    async def unit_changed(self, nomination_id: UUID, unit_name: str) -> None:
        """The candidate's unit changed (a nomination not recorded yet gets it on submission)."""
        await self.session.execute(
            update(nomination)
            .where(nomination.c.nomination_id == nomination_id)
            .values(unit_name=unit_name)
        )

    async def move(self, nomination_id: UUID, to_state: str, at: datetime) -> None:
        await self.session.execute(
            update(state_span)
            .where(state_span.c.nomination_id == nomination_id, state_span.c.left_at.is_(None))
            .values(left_at=func.greatest(at, state_span.c.entered_at))
        )
        await self.session.execute(
            insert(state_span).values(nomination_id=nomination_id, state=to_state, entered_at=at)
        )
        values: dict[str, object] = {"state": to_state, "state_since": at}
        if to_state == "in_training":
            values["trained"] = True
        await self.session.execute(
            update(nomination).where(nomination.c.nomination_id == nomination_id).values(**values)
        )

    async def training_ended(
        self, nomination_id: UUID, *, completed: bool, days_attended: int
    ) -> None:
        await self.session.execute(
            update(nomination)
            .where(nomination.c.nomination_id == nomination_id)
            .values(completed=completed, days_attended=days_attended, trained=True)
        )
