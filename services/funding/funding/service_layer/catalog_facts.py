"""Keeping the local read model of the catalog, and deciding the requests that waited for it."""

from __future__ import annotations

import uuid
from datetime import date

from funding.domain.catalog_facts import ClassState, CourseState
from funding.service_layer.obligate import retry_pending
from funding.service_layer.unit_of_work import FundingUnitOfWork


async def record_course(uow: FundingUnitOfWork, state: CourseState, today: date) -> None:
    """Keep the course's cost facts (category, dedicated, the schoolhouse's quarters and mess,
    tuition per fiscal year) when the state is newer than the one known; then decide the funding
    requests that waited for this course."""
    await uow.catalog.serialize_course(state.masl_id)
    if await uow.catalog.apply_course(state):
        uow.audit(
            "course.replicated", "course", state.masl_id, after={"catalog_version": state.version}
        )
        await retry_pending(uow, today, masl_id=state.masl_id)
    await uow.commit()


async def record_class(uow: FundingUnitOfWork, state: ClassState, today: date) -> None:
    """Keep the class's dates and status when the state is newer than the one known; then
    decide the funding requests that waited for this class."""
    await uow.catalog.serialize_course(state.masl_id)
    if await uow.catalog.apply_class(state):
        uow.audit(
            "class.replicated",
            "class",
            str(state.class_id),
            after={"catalog_version": state.version},
        )
        await retry_pending(uow, today, class_id=state.class_id)
    await uow.commit()


async def record_class_cancelled(uow: FundingUnitOfWork, class_id: uuid.UUID, masl_id: str) -> None:
    """Mark a known class cancelled (the nominations in it are released by their own events)."""
    await uow.catalog.serialize_course(masl_id)
    await uow.catalog.cancel_class(class_id)
    uow.audit("class.cancelled", "class", str(class_id), after={"status": "cancelled"})
    await uow.commit()
