"""Nominations withdrawn or cancelled (`closed_nomination`): remembered so a submission that
arrives after the withdrawal opens nothing and the expiry job leaves their approvals alone."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vetting.adapters.tables import closed_nomination


class SqlClosedNominations:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def close(self, nomination_id: UUID, reason: str, at: datetime) -> None:
        await self.session.execute(
            insert(closed_nomination)
            .values(nomination_id=nomination_id, reason=reason, closed_at=at)
            .on_conflict_do_nothing()
        )

    async def is_closed(self, nomination_id: UUID) -> bool:
        stmt = select(exists().where(closed_nomination.c.nomination_id == nomination_id))
        return bool((await self.session.execute(stmt)).scalar_one())
