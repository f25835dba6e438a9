"""The local read model of the catalog: courses (with tuition per fiscal year) and classes.

Catalog events carry the full state and a version; a state is applied only when it is newer
than what is stored, so redelivered or reordered events never move the model backwards.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.reference_tables import course, course_class, course_tuition, seat_refill
from funding.domain.catalog_facts import ClassState, CourseState, LineReference
from shared.messaging.locks import lock_key


class _TransactionMemo:
    """What this transaction already knows: the course locks it holds, and a lower bound of the
    stored version of each course and class it wrote or found newer. A consumer applies a run
    of events in one transaction (ADR 0150): a second event of the same course needs no second
    lock, and a state no newer than a version already seen there is stale without asking.
    Forgotten when the transaction (or savepoint) changes: locks end with it, and a rolled-back
    write no longer bounds anything."""

    def __init__(self) -> None:
        self.transaction: object | None = None
        self.locked: set[str] = set()
        self.courses: dict[str, int] = {}
        self.classes: dict[uuid.UUID, int] = {}


class CatalogReadModel:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._memo = _TransactionMemo()

    def _known(self) -> _TransactionMemo:
        sync = self.session.sync_session
        current = sync.get_nested_transaction() or sync.get_transaction()
        if current is not self._memo.transaction:
            self._memo = _TransactionMemo()
            self._memo.transaction = current
        return self._memo

    async def serialize_course(self, masl_id: str) -> None:
        """Serialise every change that concerns one course's lines until the transaction ends
        (requests, releases and refills vs the course's and its classes' catalog events), so an
        event arriving on another topic at the same moment is never missed."""
        if masl_id in self._known().locked:
            return  # held until the transaction ends
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"),
            {"key": lock_key(f"funding:course:{masl_id}")},
        )
        self._known().locked.add(masl_id)

    async def apply_course(self, state: CourseState) -> bool:
        if state.version <= self._known().courses.get(state.masl_id, -1):
            return False  # not newer than a version this transaction saw stored
        values = {
            "masl_id": state.masl_id,
            "title": state.title,
            "category": state.category,
            "dedicated_international": state.dedicated_international,
            "institution_name": state.institution_name,
            "government_quarters": state.government_quarters,
            "government_mess": state.government_mess,
            "active": state.active,
            "catalog_version": state.version,
            "updated_at": datetime.now(UTC),
        }
        insert_course = pg_insert(course).values(**values)
        stmt = insert_course.on_conflict_do_update(
            index_elements=[course.c.masl_id],
            set_=values,
            where=course.c.catalog_version < insert_course.excluded.catalog_version,
        ).returning(course.c.masl_id)
        applied = (await self.session.execute(stmt)).scalar_one_or_none() is not None
        known = self._known().courses
        known[state.masl_id] = max(known.get(state.masl_id, -1), state.version)
        if not applied:
            return False
        await self.session.execute(
            delete(course_tuition).where(course_tuition.c.masl_id == state.masl_id)
        )
        if state.tuition:
            await self.session.execute(
                insert(course_tuition),
                [
                    {"masl_id": state.masl_id, "fiscal_year": fy, "amount": amount}
                    for fy, amount in state.tuition.items()
                ],
            )
        return True

    async def apply_class(self, state: ClassState) -> bool:
        if state.version <= self._known().classes.get(state.class_id, -1):
            return False  # not newer than a version this transaction saw stored
        values = {
            "class_id": state.class_id,
            "masl_id": state.masl_id,
            "fiscal_year": state.fiscal_year,
            "start_date": state.start_date,
            "end_date": state.end_date,
            "report_date": state.report_date,
            "status": state.status,
            "catalog_version": state.version,
            "updated_at": datetime.now(UTC),
        }
        insert_class = pg_insert(course_class).values(**values)
        stmt = insert_class.on_conflict_do_update(
            index_elements=[course_class.c.class_id],
            set_=values,
            where=course_class.c.catalog_version < insert_class.excluded.catalog_version,
        ).returning(course_class.c.class_id)
        applied = (await self.session.execute(stmt)).scalar_one_or_none() is not None
        known = self._known().classes
        known[state.class_id] = max(known.get(state.class_id, -1), state.version)
        return applied

    async def cancel_class(self, class_id: uuid.UUID) -> None:
        await self.session.execute(
            update(course_class)
            .where(course_class.c.class_id == class_id)
            .values(status="cancelled", updated_at=func.now())
        )

    async def line_reference(self, class_id: uuid.UUID) -> LineReference | None:
        stmt = (
            select(course_class, course)
            .join(course, course.c.masl_id == course_class.c.masl_id)
            .where(course_class.c.class_id == class_id)
        )
        row = (await self.session.execute(stmt)).mappings().first()
        if row is None:
            return None
        return LineReference(
            row["class_id"],
            row["masl_id"],
            row["fiscal_year"],
            row["start_date"],
            row["end_date"],
            row["category"],
            row["dedicated_international"],
            row["government_quarters"],
            row["government_mess"],
        )

    async def class_start(self, class_id: uuid.UUID) -> date | None:
        stmt = select(course_class.c.start_date).where(course_class.c.class_id == class_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def tuition(self, masl_id: str, fiscal_year: int) -> Decimal | None:
        stmt = select(course_tuition.c.amount).where(
            course_tuition.c.masl_id == masl_id, course_tuition.c.fiscal_year == fiscal_year
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def record_refill(
        self, nomination_id: uuid.UUID, class_id: uuid.UUID, refilled_by: uuid.UUID
    ) -> bool:
        stmt = (
            pg_insert(seat_refill)
            .values(nomination_id=nomination_id, class_id=class_id, refilled_by=refilled_by)
            .on_conflict_do_nothing()
            .returning(seat_refill.c.nomination_id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def is_refilled(self, nomination_id: uuid.UUID) -> bool:
        stmt = select(seat_refill.c.nomination_id).where(
            seat_refill.c.nomination_id == nomination_id
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def first_class(self, masl_id: str, fiscal_year: int) -> uuid.UUID | None:
        """A known, not cancelled class of the course: the first of the fiscal year, else the
        first of any year (None when funding knows none)."""
        stmt = (
            select(course_class.c.class_id)
            .where(course_class.c.masl_id == masl_id, course_class.c.status != "cancelled")
            .order_by((course_class.c.fiscal_year != fiscal_year).asc(), course_class.c.start_date)
            .limit(1)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()
