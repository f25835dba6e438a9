"""Bodies of `/ledger`: the postings, in order."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from shared.contracts.types import CountryCode, FiscalYear, Money
from shared.http.pagination import Page


class LedgerEntryPublic(BaseModel):
    id: UUID
    seq: int
    posted_at: datetime
    kind: str
    fiscal_year: FiscalYear
    country: CountryCode | None
    from_account: str
    to_account: str
    amount: Money
    tranche_id: UUID | None
    obligation_id: UUID | None
    nomination_id: UUID | None
    reason: str
    actor: str
    cause_event_id: str | None


class LedgerPage(Page[LedgerEntryPublic]):
    pass
