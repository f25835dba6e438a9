"""`/api/v1/funding/ledger`: the append-only ledger of every money movement."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from funding.adapters import queries
from funding.entrypoints.authorization import FundsReader, visible_country
from funding.entrypoints.http.deps import RuntimeDep
from funding.entrypoints.http.schemas.ledger import LedgerEntryPublic, LedgerPage
from shared.contracts.types import CountryCode
from shared.http.pagination import PageQuery

router = APIRouter(prefix="/api/v1/funding/ledger", tags=["ledger"])
Kind = Literal[
    "appropriation", "allocation", "obligation", "deobligation", "penalty", "adjustment", "lapse"
]
AccountName = Literal["congress", "unallocated", "available", "obligated", "charged", "lapsed"]


@router.get("", response_model=LedgerPage)
async def list_ledger_entries(
    principal: FundsReader,
    runtime: RuntimeDep,
    page: PageQuery,
    country: Annotated[CountryCode | None, Query(description="ISO 3166-1 alpha-3")] = None,
    fiscal_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    kind: Kind | None = None,
    account: Annotated[
        AccountName | None, Query(description="Entries moving money from or to it")
    ] = None,
    obligation_id: UUID | None = None,
    nomination_id: UUID | None = None,
    tranche_id: UUID | None = None,
) -> LedgerPage:
    """Ledger entries in posting order. Each moves a positive amount from one account to another
    (double entry: the ledger always balances); entries are never changed or deleted, a
    correction is a new entry. SCOs see their own country's entries."""
    country, possible = visible_country(principal, country)
    if not possible:
        return LedgerPage(items=[], next_cursor=None)
    async with runtime.sessions() as session:
        rows, next_cursor = await queries.list_ledger_entries(
            session, page, country=country, fiscal_year=fiscal_year, kind=kind, account=account,
            obligation_id=obligation_id, nomination_id=nomination_id, tranche_id=tranche_id,
        )  # fmt: skip
    return LedgerPage(
        items=[LedgerEntryPublic.model_validate(r) for r in rows],
        next_cursor=next_cursor,
    )
