"""`/api/v1/nominations/{id}/ito`: the Invitational Travel Order gate, versions, PDF."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response
from pydantic import AwareDatetime

from nomination.adapters import queries
from nomination.adapters.ito_pdf import render_pdf
from nomination.domain.travel_order import OrderStatus, RecallReason
from nomination.entrypoints.authorization import Nominator, Reader, sees_personal_data
from nomination.entrypoints.http.deps import ConfigDep, RuntimeDep, Today, location
from nomination.entrypoints.http.schemas.travel_orders import (
    TravelOrderList,
    TravelOrderPage,
    TravelOrderPublic,
)
from nomination.entrypoints.http.views import PREFIX, travel_order_public
from nomination.service_layer import travel_orders as use_cases
from shared.auth.principal import Principal
from shared.contracts.types import CountryCode
from shared.errors import Forbidden
from shared.http.pagination import PageQuery, paginate

router = APIRouter(prefix=PREFIX, tags=["travel-orders"])
PDF = "application/pdf"
_PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}
}


@router.post(
    "/{nomination_id:uuid}/ito",
    status_code=201,
    response_model=TravelOrderPublic,
    responses={
        200: {"description": "Nothing changed: the current version", "model": TravelOrderPublic}
    },
)
async def issue_travel_order(
    nomination_id: UUID,
    principal: Nominator,
    runtime: RuntimeDep,
    config: ConfigDep,
    today: Today,
    response: Response,
) -> TravelOrderPublic:
    """Issue the Invitational Travel Order, ONLY when all screening is complete: vetting
    approved and valid through the report date, English requirement met (or country exempt),
    medical clearance and security screening recorded, funds obligated, seat confirmed, student
    data complete at least 16 days (setting) before the report date. Otherwise 409
    `ito-gate-closed` listing everything missing. Number `<country>-<agency>-<serial>-<yymm>`.
    An issued order is immutable: issuing again after a change creates version N+1 (201) and
    supersedes N; when nothing changed the current version is returned (200). An order stays
    current only while every fact behind it holds: withdrawal, cancellation, a vetting
    suspension or denial, re-vetting, a released seat or released funds recall it
    (`nomination.ito_recalled`); once the gate holds again the next version keeps the number."""
    async with runtime.uow(principal) as uow:
        order, created = await use_cases.issue_travel_order(
            uow, principal, nomination_id, config, today
        )
    response.status_code = 201 if created else 200
    response.headers["Location"] = location(PREFIX, nomination_id, "ito", order.version)
    return travel_order_public(order, principal)


@router.get("/travel-orders", response_model=TravelOrderPage)
async def list_country_travel_orders(
    principal: Reader,
    runtime: RuntimeDep,
    page: PageQuery,
    status: OrderStatus | None = None,
    recall_reason: RecallReason | None = None,
    country: Annotated[CountryCode | None, Query()] = None,
    fiscal_year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    recalled_since: Annotated[
        AwareDatetime | None, Query(description="Recalled at or after (with a UTC offset)")
    ] = None,
) -> TravelOrderPage:
    """Travel orders across nominations, newest first; an SCO sees only its own country's.
    `?status=recalled` is the SCO's list of the orders that were recalled, each with
    `recall_reason` (withdrawn, cancelled, vetting_suspended, unit_listed, approval_lapsed,
    candidate_changed, seat_released, deobligated, ...) and the gate items that failed;
    `?recalled_since=` keeps the orders recalled at or after that time (the ops dashboard's
    recalls of the week)."""
    scope = principal.country if principal.is_sco_only else None
    stmt = queries.travel_orders(
        scope_country=scope,
        country=country,
        status=status.value if status else None,
        recall_reason=recall_reason.value if recall_reason else None,
        fiscal_year=fiscal_year,
        recalled_since=recalled_since,
    )
    async with runtime.sessions() as session:
        rows, next_cursor = await paginate(session, stmt, page, queries.TRAVEL_ORDER_ORDER)
    return TravelOrderPage(
        items=[travel_order_public(r, principal) for r in queries.orders_of(rows)],
        next_cursor=next_cursor,
    )


@router.get("/{nomination_id:uuid}/ito", response_model=TravelOrderList)
async def list_travel_orders(
    nomination_id: UUID, principal: Reader, runtime: RuntimeDep
) -> TravelOrderList:
    """Every version of the nomination's travel order, oldest first (superseded ones included)."""
    async with runtime.uow(principal) as uow:
        orders = await use_cases.travel_orders(uow, principal, nomination_id)
    return TravelOrderList(items=[travel_order_public(o, principal) for o in orders])


def _pdf_allowed(principal: Principal) -> None:
    if not sees_personal_data(principal):
        raise Forbidden("The travel order document holds personal data: SCO, vetter or admin only.")


async def _pdf(
    runtime: RuntimeDep, principal: Principal, nomination_id: UUID, version: int
) -> Response:
    _pdf_allowed(principal)
    async with runtime.uow(principal) as uow:
        order = await use_cases.travel_order(uow, principal, nomination_id, version)
    filename = f"ITO-{order.number}-v{order.version}.pdf"
    return Response(
        render_pdf(order),
        media_type=PDF,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/{nomination_id:uuid}/ito/{version:int}.pdf", response_class=Response, responses=_PDF_RESPONSE
)
async def download_travel_order(
    nomination_id: UUID, version: int, principal: Reader, runtime: RuntimeDep
) -> Response:
    """One version of the travel order as a PDF (SCO of the country, vetters, admins). A
    superseded or recalled version still prints, for the record, stamped as such."""
    return await _pdf(runtime, principal, nomination_id, version)


@router.get(
    "/{nomination_id:uuid}/ito/{version:int}",
    response_model=TravelOrderPublic,
    responses=_PDF_RESPONSE,
)
async def get_travel_order(
    nomination_id: UUID,
    version: int,
    principal: Reader,
    runtime: RuntimeDep,
    accept: Annotated[str | None, Header()] = None,
) -> TravelOrderPublic | Response:
    """One version of the travel order as JSON, or as a PDF with `Accept: application/pdf`."""
    if accept is not None and PDF in accept and "application/json" not in accept:
        return await _pdf(runtime, principal, nomination_id, version)
    async with runtime.uow(principal) as uow:
        order = await use_cases.travel_order(uow, principal, nomination_id, version)
    return travel_order_public(order, principal)
