"""The append-only ledger: postings are inserted, never updated or deleted (a trigger refuses)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from funding.adapters.tables import ledger_entry
from funding.domain.ledger import Account, EntryKind, MoveTotal, Posting

t = ledger_entry


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(
        self,
        postings: Iterable[Posting],
        *,
        actor: str,
        request_id: str | None,
        cause_event_id: str | None,
    ) -> None:
        now = datetime.now(UTC)
        rows = [
            {
                "id": uuid.uuid4(),
                "posted_at": now,
                "kind": p.kind,
                "fiscal_year": p.fiscal_year,
                "country": p.country,
                "from_account": p.from_account,
                "to_account": p.to_account,
                "amount": p.amount,
                "tranche_id": p.tranche_id,
                "obligation_id": p.obligation_id,
                "nomination_id": p.nomination_id,
                "reason": p.reason,
                "actor": actor,
                "request_id": request_id,
                "cause_event_id": cause_event_id,
            }
            for p in postings
        ]
        if rows:
            await self.session.execute(insert(t), rows)

    async def postings_of(self, obligation_id: uuid.UUID) -> list[Posting]:
        stmt = select(t).where(t.c.obligation_id == obligation_id).order_by(t.c.seq)
        return [
            Posting(
                EntryKind(r["kind"]),
                r["fiscal_year"],
                r["country"],
                Account(r["from_account"]),
                Account(r["to_account"]),
                r["amount"],
                r["reason"],
                tranche_id=r["tranche_id"],
                obligation_id=r["obligation_id"],
                nomination_id=r["nomination_id"],
            )
            for r in (await self.session.execute(stmt)).mappings()
        ]

    async def move_totals(
        self, *, fiscal_year: int | None = None, country: str | None = None
    ) -> list[MoveTotal]:
        """Sums of every move, per fiscal year, country and tranche (what balances derive from)."""
        keys = (t.c.fiscal_year, t.c.country, t.c.tranche_id, t.c.from_account, t.c.to_account)
        stmt = select(*keys, func.sum(t.c.amount)).group_by(*keys)
        if fiscal_year is not None:
            stmt = stmt.where(t.c.fiscal_year == fiscal_year)
        if country is not None:
            stmt = stmt.where(t.c.country == country)
        return [
            MoveTotal(fy, c, tr, Account(src), Account(dst), Decimal(amount))
            for fy, c, tr, src, dst, amount in (await self.session.execute(stmt)).all()
        ]
