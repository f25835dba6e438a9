"""The case repository: vetting cases with their append-only decision history.

A case is loaded with its whole history (a handful of rows) and, for a change, under a row
lock (`FOR UPDATE`) so decisions, confirmations, cancellations and re-openings of the same case
are serialized. `save` appends what is new in the history and rewrites the case's cached
current-result columns, conditional on the version read.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import exists, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import Conflict
from vetting.adapters.tables import (
    closed_nomination,
    decision,
    decision_confirmation,
    vetting_case,
)
from vetting.domain.case import VettingCase
from vetting.domain.checks import FingerprintMatch
from vetting.domain.decision import Confirmation, Decision, Outcome, Result
from vetting.domain.registry import unit_key
from vetting.domain.units import UnitMatch
from vetting.domain.validity import PriorApproval

_CASE_FIELDS = (
    "id",
    "nomination_id",
    "candidate_id",
    "person_fingerprint",
    "country",
    "unit_name",
    "class_id",
    "report_date",
    "opened_at",
    "opened_on",
    "cycle_started_on",
    "due_on",
    "flagged_possible_duplicate",
    "possible_duplicate_of",
    "version",
    "vetted_revision",
    "unit_id",
    "unit_match",
)
# The case's facts that change when the candidate's vetted facts do (`save` rewrites them).
_FACT_FIELDS = (
    "person_fingerprint",
    "unit_name",
    "flagged_possible_duplicate",
    "possible_duplicate_of",
    "vetted_revision",
    "unit_id",
    "unit_match",
)
_DECISION_FIELDS = (
    "id",
    "reason_code",
    "rationale",
    "decided_by",
    "decided_at",
    "decided_on",
    "cycle_started_on",
    "first_in_cycle",
    "automatic",
    "requires_confirmation",
    "valid_until",
    "reused_from_case_id",
    "registry_entry_id",
)


class ConcurrentModification(Conflict):
    code = "concurrent-modification"


def current_columns(case: VettingCase) -> dict[str, Any]:
    """The case's cached current result, as derived from its history."""
    current = case.current
    decided = current is not None and current.result is not Result.REOPENED
    return {
        "status": case.status.value,
        "reason_code": current.reason_code if current else None,
        "decided_at": current.effective_at if current and decided else None,
        "valid_until": case.valid_until,
        "registry_entry_id": current.registry_entry_id if current else None,
        "reused_from_case_id": current.reused_from_case_id if current else None,
        "cycle_started_on": case.cycle_started_on,
        "due_on": case.due_on,
    }


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._stored: dict[UUID, dict[UUID, bool]] = {}  # case -> decision -> has confirmation

    async def add(self, case: VettingCase, now: datetime) -> bool:
        """Insert a new case and its history; False (nothing written) if its nomination has one."""
        values = {f: getattr(case, f) for f in _CASE_FIELDS}
        values.update(current_columns(case), unit_key=unit_key(case.unit_name), updated_at=now)
        stmt = (
            pg_insert(vetting_case)
            .values(values)
            .on_conflict_do_nothing(index_elements=[vetting_case.c.nomination_id])
        )
        inserted = (
            await self.session.execute(stmt.returning(vetting_case.c.id))
        ).scalar_one_or_none()
        if inserted is None:
            return False
        self._stored[case.id] = {}
        await self._append_new(case)
        return True

    async def get(self, case_id: UUID, *, lock: bool = False) -> VettingCase | None:
        return await self._load(vetting_case.c.id == case_id, lock)

    async def get_by_nomination(
        self, nomination_id: UUID, *, lock: bool = False
    ) -> VettingCase | None:
        return await self._load(vetting_case.c.nomination_id == nomination_id, lock)

    async def save(self, case: VettingCase, now: datetime) -> None:
        """Append the new decisions/confirmations and rewrite the derived columns."""
        await self._append_new(case)
        result = await self.session.execute(
            update(vetting_case)
            .where(vetting_case.c.id == case.id, vetting_case.c.version == case.version)
            .values(
                **current_columns(case),
                **{f: getattr(case, f) for f in _FACT_FIELDS},
                unit_key=unit_key(case.unit_name),
                version=case.version + 1,
                updated_at=now,
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentModification(f"Case {case.id} changed concurrently; retry.")
        case.version += 1

    async def valid_approvals(self, candidate_id: UUID, on: date) -> list[PriorApproval]:
        c = vetting_case.c
        rows = await self.session.execute(
            select(
                c.id, c.candidate_id, c.unit_key, c.country, c.valid_until, c.vetted_revision
            ).where(c.candidate_id == candidate_id, c.status == "approved", c.valid_until >= on)
        )
        return [
            PriorApproval(
                r.id, r.candidate_id, r.unit_key, r.country, r.valid_until, r.vetted_revision
            )
            for r in rows
        ]

    async def fingerprint_matches(
        self, fingerprint: str, other_than: UUID, limit: int = 5
    ) -> list[FingerprintMatch]:
        """The newest cases of OTHER candidates with this person fingerprint."""
        c = vetting_case.c
        rows = await self.session.execute(
            select(c.id, c.candidate_id)
            .where(c.person_fingerprint == fingerprint, c.candidate_id != other_than)
            .order_by(c.opened_at.desc(), c.id.desc())
            .limit(limit)
        )
        return [FingerprintMatch(r.id, r.candidate_id) for r in rows]

    async def lapsing_approval_ids(self, today: date, lead_days: int, limit: int) -> list[UUID]:
        """Approved cases whose approval lapses before the report date within the lead window.

        Locked (`SKIP LOCKED`: a case a vetter holds now is picked up next round); cases of a
        withdrawn or cancelled nomination are left alone.
        """
        c = vetting_case.c
        closed = exists().where(closed_nomination.c.nomination_id == c.nomination_id)
        rows = await self.session.execute(
            select(c.id)
            .where(
                c.status == "approved",
                c.valid_until < c.report_date,
                c.valid_until <= today + timedelta(days=lead_days - 1),
                ~closed,
            )
            .order_by(c.valid_until, c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(rows.scalars())

    async def close_nomination(self, nomination_id: UUID, reason: str, at: datetime) -> None:
        await self.session.execute(
            pg_insert(closed_nomination)
            .values(nomination_id=nomination_id, reason=reason, closed_at=at)
            .on_conflict_do_nothing()
        )

    async def is_nomination_closed(self, nomination_id: UUID) -> bool:
        stmt = select(exists().where(closed_nomination.c.nomination_id == nomination_id))
        return bool((await self.session.execute(stmt)).scalar_one())

    async def _load(self, where: Any, lock: bool) -> VettingCase | None:
        stmt = select(vetting_case).where(where)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        case = VettingCase(**{f: getattr(row, f) for f in _CASE_FIELDS})
        case.unit_match = UnitMatch(row.unit_match)
        case.history = await self._history(case.id)
        self._stored[case.id] = {d.id: d.confirmation is not None for d in case.history}
        return case

    async def _history(self, case_id: UUID) -> list[Decision]:
        d, k = decision.c, decision_confirmation.c
        rows = await self.session.execute(
            select(decision, *[col.label(f"c_{col.name}") for col in decision_confirmation.c])
            .outerjoin(decision_confirmation, k.decision_id == d.id)
            .where(d.case_id == case_id)
            .order_by(d.seq)
        )
        return [_decision(r) for r in rows]

    async def _append_new(self, case: VettingCase) -> None:
        stored = self._stored.setdefault(case.id, {})
        for item in case.history:
            if item.id not in stored:
                values = {f: getattr(item, f) for f in _DECISION_FIELDS}
                await self.session.execute(
                    insert(decision).values(
                        values | {"case_id": case.id, "result": item.result.value}
                    )
                )
                stored[item.id] = False
            if item.confirmation is not None and not stored[item.id]:
                await self._insert_confirmation(item, item.confirmation)
                stored[item.id] = True

    async def _insert_confirmation(self, item: Decision, c: Confirmation) -> None:
        await self.session.execute(
            insert(decision_confirmation).values(
                id=c.id,
                decision_id=c.decision_id,
                outcome=c.outcome.value,
                rationale=c.rationale,
                decided_by=item.decided_by,
                confirmed_by=c.confirmed_by,
                confirmed_at=c.confirmed_at,
                confirmed_on=c.confirmed_on,
                valid_until=c.valid_until,
            )
        )


def _decision(row: Any) -> Decision:
    confirmation = None
    if row.c_id is not None:
        confirmation = Confirmation(
            id=row.c_id,
            decision_id=row.id,
            outcome=Outcome(row.c_outcome),
            rationale=row.c_rationale,
            confirmed_by=row.c_confirmed_by,
            confirmed_at=row.c_confirmed_at,
            confirmed_on=row.c_confirmed_on,
            valid_until=row.c_valid_until,
        )
    return Decision(
        result=Result(row.result),
        confirmation=confirmation,
        **{f: getattr(row, f) for f in _DECISION_FIELDS},
    )
