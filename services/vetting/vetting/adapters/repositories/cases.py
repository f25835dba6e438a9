"""The case repository: vetting cases with their append-only decision history.

A case is loaded with its whole history (a handful of rows) and, for a change, under a row
lock (`FOR UPDATE`) so decisions, confirmations, cancellations and re-openings of the same case
are serialized. `save` appends what is new in the history and rewrites the case's cached
current-result columns, conditional on the version read. Every case it hands out or stores is
`seen`, so the unit of work can collect the events it raised.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import exists, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from vetting.adapters.repositories import case_rows
from vetting.adapters.tables import closed_nomination, decision, decision_confirmation, vetting_case
from vetting.domain.case import VettingCase
from vetting.domain.checks import FingerprintMatch
from vetting.domain.decision import Decision
from vetting.domain.errors import ConcurrentModification
from vetting.domain.events import RaisesEvents
from vetting.domain.registry import unit_key
from vetting.domain.validity import PriorApproval

_c = vetting_case.c
_open_nomination = ~exists().where(closed_nomination.c.nomination_id == _c.nomination_id)


class SqlCaseRepository:
    def __init__(self, session: AsyncSession, seen: list[RaisesEvents] | None = None) -> None:
        self.session = session
        self.seen = [] if seen is None else seen
        self._stored: dict[UUID, dict[UUID, bool]] = {}  # case -> decision -> has confirmation

    async def add(self, case: VettingCase, now: datetime) -> bool:
        """Insert a new case and its history; False (nothing written) if its nomination has one."""
        stmt = (
            pg_insert(vetting_case)
            .values(case_rows.new_case_values(case) | {"updated_at": now})
            .on_conflict_do_nothing(index_elements=[_c.nomination_id])
        )
        inserted = (await self.session.execute(stmt.returning(_c.id))).scalar_one_or_none()
        if inserted is None:
            return False
        self._stored[case.id] = {}
        await self._append_new(case)
        self._see(case)
        return True

    async def get(self, case_id: UUID, *, lock: bool = False) -> VettingCase | None:
        return await self._load(_c.id == case_id, lock)

    async def get_by_nomination(
        self, nomination_id: UUID, *, lock: bool = False
    ) -> VettingCase | None:
        return await self._load(_c.nomination_id == nomination_id, lock)

    async def save(self, case: VettingCase, now: datetime) -> None:
        """Append the new decisions/confirmations and rewrite the derived columns."""
        await self._append_new(case)
        result = await self.session.execute(
            update(vetting_case)
            .where(_c.id == case.id, _c.version == case.version)
            .values(
                case_rows.changed_case_values(case)
                | {"version": case.version + 1, "updated_at": now}
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentModification(f"Case {case.id} changed concurrently; retry.")
        case.version += 1
        self._see(case)

    async def valid_approvals(self, candidate_id: UUID, on: date) -> list[PriorApproval]:
        rows = await self.session.execute(
            select(
                _c.id, _c.candidate_id, _c.unit_key, _c.country, _c.valid_until, _c.vetted_revision
            ).where(_c.candidate_id == candidate_id, _c.status == "approved", _c.valid_until >= on)
        )
        return [PriorApproval(*r) for r in rows]

    async def fingerprint_matches(
        self, fingerprint: str, other_than: UUID, limit: int = 5
    ) -> list[FingerprintMatch]:
        """The newest cases of OTHER candidates with this person fingerprint."""
        rows = await self.session.execute(
            select(_c.id, _c.candidate_id)
            .where(_c.person_fingerprint == fingerprint, _c.candidate_id != other_than)
            .order_by(_c.opened_at.desc(), _c.id.desc())
            .limit(limit)
        )
        return [FingerprintMatch(r.id, r.candidate_id) for r in rows]

    async def lapsing_approval_ids(self, today: date, lead_days: int, limit: int) -> list[UUID]:
        """Approved cases whose approval lapses before the report date within the lead window.

        Locked (`SKIP LOCKED`: a case a vetter holds now is picked up next round); cases of a
        withdrawn or cancelled nomination are left alone.
        """
        rows = await self.session.execute(
            select(_c.id)
            .where(
                _c.status == "approved",
                _c.valid_until < _c.report_date,
                _c.valid_until <= today + timedelta(days=lead_days - 1),
                _open_nomination,
            )
            .order_by(_c.valid_until, _c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(rows.scalars())

    async def approved_members(
        self, unit_ids: list[UUID], country: str, name: str | None, on: date
    ) -> list[UUID]:
        """Approved cases still valid `on` whose unit is one of `unit_ids` - or, for cases named
        by free text only, whose unit name is `name` in `country` - of open nominations."""
        member: Any = _c.unit_id.in_(unit_ids)
        if name is not None:
            member = member | (
                _c.unit_id.is_(None) & (_c.country == country) & (_c.unit_key == unit_key(name))
            )
        stmt = (
            select(_c.id)
            .where(member, _c.status == "approved", _c.valid_until >= on, _open_nomination)
            .order_by(_c.opened_at, _c.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def link_named_to_unit(self, country: str, name: str, unit_id: UUID) -> int:
        """Cases named only by free text that match this (now only) unit get linked to it."""
        result = await self.session.execute(
            update(vetting_case)
            .where(_c.unit_id.is_(None), _c.country == country, _c.unit_key == unit_key(name))
            .values(unit_id=unit_id, unit_match="by_name", version=_c.version + 1)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _see(self, case: VettingCase) -> None:
        if not any(known is case for known in self.seen):
            self.seen.append(case)

    async def _load(self, where: Any, lock: bool) -> VettingCase | None:
        stmt = select(vetting_case).where(where)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        case = case_rows.case_from_row(row, await self._history(row.id))
        self._stored[case.id] = {d.id: d.confirmation is not None for d in case.history}
        self._see(case)
        return case

    async def _history(self, case_id: UUID) -> list[Decision]:
        d, k = decision.c, decision_confirmation.c
        rows = await self.session.execute(
            select(decision, *[col.label(f"c_{col.name}") for col in decision_confirmation.c])
            .outerjoin(decision_confirmation, k.decision_id == d.id)
            .where(d.case_id == case_id)
            .order_by(d.seq)
        )
        return [case_rows.decision_from_row(r) for r in rows]

    async def _append_new(self, case: VettingCase) -> None:
        stored = self._stored.setdefault(case.id, {})
        for item in case.history:
            if item.id not in stored:
                await self.session.execute(
                    insert(decision).values(case_rows.decision_values(case.id, item))
                )
                stored[item.id] = False
            if item.confirmation is not None and not stored[item.id]:
                await self.session.execute(
                    insert(decision_confirmation).values(
                        case_rows.confirmation_values(item, item.confirmation)
                    )
                )
                stored[item.id] = True
