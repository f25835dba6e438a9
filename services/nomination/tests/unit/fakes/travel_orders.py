"""In-memory travel orders (the twin of adapters/repositories/travel_orders.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from nomination.domain.errors import ConstraintViolated
from nomination.domain.travel_order import OrderStatus, TravelOrder
from services.nomination.tests.unit.fakes.store import NominationStore


class MemoryTravelOrders:
    def __init__(self, store: NominationStore) -> None:
        self.store = store

    async def next_serial(self, country: str) -> int:
        self.store.serials[country] = self.store.serials.get(country, 0) + 1
        return self.store.serials[country]

    def _of(self, nomination_id: UUID) -> list[TravelOrder]:
        orders = [o for o in self.store.orders.values() if o.nomination_id == nomination_id]
        return sorted(orders, key=lambda o: o.version)

    async def current(self, nomination_id: UUID) -> TravelOrder | None:
        for o in self._of(nomination_id):
            if o.status is OrderStatus.CURRENT:
                return o
        return None

    async def nominations_holding_current(
        self, *, class_id: UUID | None = None, masl_id: str | None = None
    ) -> list[UUID]:
        holding = {
            o.nomination_id for o in self.store.orders.values() if o.status is OrderStatus.CURRENT
        }
        nominations = sorted(
            (self.store.nominations[i] for i in holding), key=lambda n: (n.created_at, n.id)
        )
        return [
            n.id
            for n in nominations
            if (class_id is None or n.class_id == class_id)
            and (masl_id is None or n.masl_id == masl_id)
        ]

    async def latest(self, nomination_id: UUID) -> TravelOrder | None:
        orders = self._of(nomination_id)
        return orders[-1] if orders else None

    async def recall(
        self, order_id: UUID, at: datetime, reason: str, detail: dict[str, Any]
    ) -> TravelOrder:
        new = replace(
            self.store.orders[order_id], recalled_at=at, recall_reason=reason, recall_detail=detail
        )
        self.store.orders[order_id] = new
        return new

    async def get(self, nomination_id: UUID, version: int) -> TravelOrder | None:
        for o in self._of(nomination_id):
            if o.version == version:
                return o
        return None

    async def all_of(self, nomination_id: UUID) -> list[TravelOrder]:
        return self._of(nomination_id)

    async def supersede(self, order_id: UUID, at: datetime) -> None:
        self.store.orders[order_id] = replace(self.store.orders[order_id], superseded_at=at)

    async def add(
        self,
        *,
        nomination_id: UUID,
        version: int,
        number: str,
        content: dict[str, Any],
        digest: str,
        issued_at: datetime,
        issued_by: str,
    ) -> TravelOrder:
        if await self.current(nomination_id) is not None:
            raise ConstraintViolated("uq_travel_order_current")
        order = TravelOrder(
            id=uuid4(), nomination_id=nomination_id, version=version, number=number,
            content=content, content_digest=digest, issued_at=issued_at, issued_by=issued_by,
        )  # fmt: skip
        self.store.orders[order.id] = order
        return order
