"""Funding requests received from the nomination service (SQLAlchemy Core)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.tables import funding_request
from funding.domain.obligation import RejectionReason, RequestStatus
from funding.domain.request import FundingRequest


def _request(row: RowMapping) -> FundingRequest:
    values = {f.name: row[f.name] for f in dataclasses.fields(FundingRequest)}
    values["status"] = RequestStatus(values["status"])
    return FundingRequest(**values)


class RequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_new(self, request: FundingRequest, cause_event_id: str | None) -> bool:
        """Record a request; False when its `request_id` was seen before (nothing changes)."""
        values = {f.name: getattr(request, f.name) for f in dataclasses.fields(FundingRequest)}
        stmt = (
            pg_insert(funding_request)
            .values(**values, cause_event_id=cause_event_id)
            .on_conflict_do_nothing(index_elements=[funding_request.c.request_id])
            .returning(funding_request.c.request_id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def get(self, request_id: uuid.UUID, *, lock: bool = False) -> FundingRequest | None:
        stmt = select(funding_request).where(funding_request.c.request_id == request_id)
        row = (
            (await self.session.execute(stmt.with_for_update() if lock else stmt))
            .mappings()
            .first()
        )
        return None if row is None else _request(row)

    async def pending(
        self,
        *,
        class_id: uuid.UUID | None = None,
        masl_id: str | None = None,
        nomination_id: uuid.UUID | None = None,
        received_before: datetime | None = None,
        skip_locked: bool = False,
        statuses: tuple[RequestStatus, ...] = (RequestStatus.PENDING_REFERENCE_DATA,),
        fiscal_year: int | None = None,
    ) -> list[FundingRequest]:
        """Requests waiting (for reference data, or in `statuses`), oldest first, locked."""
        stmt = select(funding_request).where(funding_request.c.status.in_(statuses))
        if fiscal_year is not None:
            stmt = stmt.where(funding_request.c.fiscal_year == fiscal_year)
        if class_id is not None:
            stmt = stmt.where(funding_request.c.class_id == class_id)
        if masl_id is not None:
            stmt = stmt.where(funding_request.c.masl_id == masl_id)
        if nomination_id is not None:
            stmt = stmt.where(funding_request.c.nomination_id == nomination_id)
        if received_before is not None:
            stmt = stmt.where(funding_request.c.received_at < received_before)
        stmt = stmt.order_by(funding_request.c.received_at).with_for_update(skip_locked=skip_locked)
        return [_request(r) for r in (await self.session.execute(stmt)).mappings()]

    async def wait(self, request: FundingRequest, status: RequestStatus) -> None:
        """The request waits (undecided) in `status`."""
        request.status = status
        await self.session.execute(
            update(funding_request)
            .where(funding_request.c.request_id == request.request_id)
            .values(status=status)
        )

    async def decide(
        self,
        request: FundingRequest,
        status: RequestStatus,
        reason: RejectionReason | None = None,
        obligation_id: uuid.UUID | None = None,
    ) -> None:
        request.status, request.obligation_id = status, obligation_id
        request.reason = None if reason is None else str(reason)
        await self.session.execute(
            update(funding_request)
            .where(funding_request.c.request_id == request.request_id)
            .values(
                status=status,
                reason=request.reason,
                obligation_id=obligation_id,
                decided_at=datetime.now(UTC),
            )
        )
