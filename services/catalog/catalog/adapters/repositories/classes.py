"""Classes (offerings). Seat counters are read here but written only by the database trigger."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.adapters.tables import course_class
from catalog.domain.offering import ClassStatus, CourseClass


def class_from_row(row: Any) -> CourseClass:
    m = row._mapping
    return CourseClass(
        id=m["id"],
        masl_id=m["masl_id"],
        start_date=m["start_date"],
        end_date=m["end_date"],
        report_date=m["report_date"],
        capacity=m["capacity"],
        status=ClassStatus(m["status"]),
        seats_held=m["seats_held"],
        seats_confirmed=m["seats_confirmed"],
        seats_waitlisted=m["seats_waitlisted"],
        last_waitlist_seq=m["last_waitlist_seq"],
        version=m["version"],
        cancel_reason=m["cancel_reason"],
        cancelled_at=m["cancelled_at"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


class ClassRepository:
    """Classes as `CourseClass` aggregates (`catalog.service_layer.unit_of_work.Classes`)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, class_id: UUID) -> CourseClass | None:
        row = (
            await self.session.execute(select(course_class).where(course_class.c.id == class_id))
        ).first()
        return class_from_row(row) if row else None

    async def lock(self, class_id: UUID) -> CourseClass | None:
        """The class, locked until the transaction ends: every seat change of a class runs
        under this lock, so concurrent requests for its seats are served one at a time."""
        stmt = select(course_class).where(course_class.c.id == class_id).with_for_update()
        row = (await self.session.execute(stmt)).first()
        return class_from_row(row) if row else None

    async def add(self, item: CourseClass) -> None:
        await self.session.execute(
            insert(course_class).values(id=item.id, masl_id=item.masl_id, **_values(item))
        )

    async def save(self, item: CourseClass) -> None:
        await self.session.execute(
            update(course_class)
            .where(course_class.c.id == item.id)
            .values(**_values(item), version=item.version, updated_at=func.now())
        )


def _values(item: CourseClass) -> dict[str, Any]:
    # Never the seat counters: the seat trigger owns them (ADR 0010).
    return {
        "fiscal_year": item.fiscal_year,
        "start_date": item.start_date,
        "end_date": item.end_date,
        "report_date": item.report_date,
        "capacity": item.capacity,
        "status": item.status.value,
        "last_waitlist_seq": item.last_waitlist_seq,
        "cancel_reason": item.cancel_reason,
        "cancelled_at": item.cancelled_at,
    }
