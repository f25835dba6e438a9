"""Nominations and their history.

Every change goes through `update`, which bumps `version` (the ETag) and is meant to run on a
row the caller locked (`get(..., for_update=True)`): state changes of one nomination are
serialized by that row lock, whichever of HTTP, consumer or admin action makes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nomination.adapters.tables import nomination, nomination_history
from nomination.domain.errors import ConstraintViolated
from nomination.domain.nomination import HistoryEntry, Nomination
from nomination.domain.states import ACTIVE, TERMINAL, State


class NominationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, values: dict[str, Any]) -> Nomination:
        stmt = insert(nomination).values(**values, version=1).returning(*nomination.c)
        return nomination_of((await self._write(stmt)).one())

    async def get(self, nomination_id: UUID, *, for_update: bool = False) -> Nomination | None:
        stmt = select(nomination).where(nomination.c.id == nomination_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return None if row is None else nomination_of(row)

    async def update(self, current: Nomination, values: dict[str, Any]) -> Nomination:
        """Write `values` on a locked nomination and bump its version."""
        stmt = (
            update(nomination)
            .where(nomination.c.id == current.id)
            .values(**values, version=current.version + 1, updated_at=datetime.now(UTC))
            .returning(*nomination.c)
        )
        return nomination_of((await self._write(stmt)).one())

    async def _write(self, stmt: Any) -> Any:
        try:
            return await self.session.execute(stmt)
        except IntegrityError as exc:
            raise ConstraintViolated(str(exc.orig)) from exc

    async def open_for(self, candidate_id: UUID, class_id: UUID) -> Nomination | None:
        """The candidate's nomination for the class that has not ended, if any."""
        stmt = select(nomination).where(
            nomination.c.candidate_id == candidate_id,
            nomination.c.class_id == class_id,
            nomination.c.status.not_in(_values(TERMINAL)),
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else nomination_of(row)

    async def person_is_active_in_class(
        self, class_id: UUID, fingerprint: str, *, other_than: UUID
    ) -> bool:
        stmt = select(
            exists().where(
                nomination.c.class_id == class_id,
                nomination.c.person_fingerprint == fingerprint,
                nomination.c.status.in_(_values(ACTIVE)),
                nomination.c.id != other_than,
            )
        )
        return bool((await self.session.execute(stmt)).scalar())

    async def ids_where(self, *conditions: Any) -> list[UUID]:
        stmt = select(nomination.c.id).where(and_(*conditions)).order_by(nomination.c.created_at)
        return list((await self.session.execute(stmt)).scalars())

    async def ids_in_class(self, class_id: UUID, states: Iterable[State]) -> list[UUID]:
        return await self.ids_where(
            nomination.c.class_id == class_id, nomination.c.status.in_(_values(states))
        )

    async def ids_in_country(self, country: str, states: Iterable[State]) -> list[UUID]:
        return await self.ids_where(
            nomination.c.country == country, nomination.c.status.in_(_values(states))
        )

    async def ids_of_candidate(self, candidate_id: UUID, states: Iterable[State]) -> list[UUID]:
        return await self.ids_where(
            nomination.c.candidate_id == candidate_id, nomination.c.status.in_(_values(states))
        )

    async def add_history(
        self,
        nomination_id: UUID,
        *,
        kind: str,
        actor: str,
        cause_event_id: str | None,
        from_state: str | None = None,
        to_state: str | None = None,
        reason: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        await self.session.execute(
            insert(nomination_history).values(
                nomination_id=nomination_id,
                occurred_at=datetime.now(UTC),
                kind=kind,
                actor=actor,
                cause_event_id=cause_event_id,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                detail=detail or {},
            )
        )

    async def history(self, nomination_id: UUID) -> list[HistoryEntry]:
        stmt = (
            select(nomination_history)
            .where(nomination_history.c.nomination_id == nomination_id)
            .order_by(nomination_history.c.id)
        )
        return [HistoryEntry(**r._mapping) for r in (await self.session.execute(stmt)).all()]


def _values(states: Iterable[State]) -> list[str]:
    return sorted(s.value for s in states)


def nomination_of(row: Row[Any]) -> Nomination:
    """The aggregate of a nomination row."""
    return Nomination(**row._mapping)
