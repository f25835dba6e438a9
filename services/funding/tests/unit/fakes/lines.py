"""In-memory obligations, funding requests and the append-only ledger."""

from __future__ import annotations

import copy
import uuid
from dataclasses import replace
from datetime import datetime

from funding.domain.ledger import (
    Posting,
)
from funding.domain.money import ZERO
from funding.domain.obligation import Obligation, ObligationStatus, RejectionReason, RequestStatus
from funding.domain.request import FundingRequest
from services.funding.tests.unit.fakes.store import (
    ConstraintViolated,
    FundingStore,
    fresh_copy,
)

_MUTABLE = (
    "status",
    "outstanding",
    "penalty_amount",
    "penalty_rule",
    "penalty_refundable",
    "returned_amount",
    "lapsed_amount",
    "closed_on",
    "close_reason",
)


class FakeObligations:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def get(self, obligation_id: uuid.UUID, *, lock: bool = False) -> Obligation | None:
        found = self.store.obligations.get(obligation_id)
        return fresh_copy(found) if found else None

    async def active_for(self, nomination_id: uuid.UUID) -> Obligation | None:
        found = [o for o in self._of(nomination_id) if o.status is ObligationStatus.ACTIVE]
        return fresh_copy(found[0]) if found else None

    async def refundable_for(self, nomination_id: uuid.UUID) -> Obligation | None:
        found = [
            o for o in self._of(nomination_id) if o.penalty_refundable and o.penalty_amount > 0
        ]
        return fresh_copy(found[-1]) if found else None  # the newest

    async def add(self, ob: Obligation) -> None:
        if ob.amount != ob.tuition + ob.travel + ob.living_allowance:
            raise ConstraintViolated(f"obligation {ob.id}: amount is not its cost")
        self.store.obligations[ob.id] = replace(fresh_copy(ob), version=1)
        self._check(ob.id)

    async def save(self, ob: Obligation) -> None:
        stored = self.store.obligations[ob.id]
        for name in _MUTABLE:
            setattr(stored, name, copy.copy(getattr(ob, name)))
        stored.version += 1
        ob.version += 1
        self._check(ob.id)

    def _of(self, nomination_id: uuid.UUID) -> list[Obligation]:
        """The nomination's obligations, oldest first (dicts keep the insertion order)."""
        return [o for o in self.store.obligations.values() if o.nomination_id == nomination_id]

    def _check(self, obligation_id: uuid.UUID) -> None:
        ob = self.store.obligations[obligation_id]
        if not ZERO <= ob.outstanding <= ob.amount:
            raise ConstraintViolated(f"obligation {ob.id}: outstanding {ob.outstanding}")
        active = [o for o in self._of(ob.nomination_id) if o.status is ObligationStatus.ACTIVE]
        if len(active) > 1:
            raise ConstraintViolated(f"nomination {ob.nomination_id}: two active obligations")


class FakeRequests:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def add_new(self, request: FundingRequest, cause_event_id: str | None) -> bool:
        if request.request_id in self.store.requests:
            return False
        self.store.requests[request.request_id] = fresh_copy(request)
        self.store.received_at[request.request_id] = self.store.now()
        return True

    async def get(self, request_id: uuid.UUID, *, lock: bool = False) -> FundingRequest | None:
        found = self.store.requests.get(request_id)
        return fresh_copy(found) if found else None

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
        received = self.store.received_at
        found = [
            r
            for r in self.store.requests.values()
            if r.status in statuses
            and fiscal_year in (None, r.fiscal_year)
            and class_id in (None, r.class_id)
            and masl_id in (None, r.masl_id)
            and nomination_id in (None, r.nomination_id)
            and (received_before is None or received[r.request_id] < received_before)
        ]
        return [fresh_copy(r) for r in sorted(found, key=lambda r: received[r.request_id])]

    async def wait(self, request: FundingRequest, status: RequestStatus) -> None:
        request.status = status
        self.store.requests[request.request_id].status = status

    async def decide(
        self,
        request: FundingRequest,
        status: RequestStatus,
        reason: RejectionReason | None = None,
        obligation_id: uuid.UUID | None = None,
    ) -> None:
        request.status, request.obligation_id = status, obligation_id
        request.reason = None if reason is None else str(reason)
        stored = self.store.requests[request.request_id]
        stored.status, stored.obligation_id, stored.reason = status, obligation_id, request.reason
        self.store.decided_at[request.request_id] = self.store.now()


class FakeLedger:
    def __init__(self, store: FundingStore) -> None:
        self.store = store

    async def postings_of(self, obligation_id: uuid.UUID) -> list[Posting]:
        return [e.posting for e in self.store.ledger if e.posting.obligation_id == obligation_id]
