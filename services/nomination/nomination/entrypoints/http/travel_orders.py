"""`/api/v1/nominations/{id}/ito`: the Invitational Travel Order gate, versions, PDF."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Response

from nomination.adapters.ito_pdf import render_pdf
from nomination.entrypoints.http.deps import (
    ConfigDep,
    Nominator,
    Reader,
    RuntimeDep,
    Today,
    location,
)
from nomination.entrypoints.http.schemas.travel_orders import TravelOrderList, TravelOrderPublic
from nomination.entrypoints.http.views import PREFIX, travel_order_public
from nomination.service_layer import travel_orders as use_cases
from nomination.service_layer.candidates import sees_personal_data
from shared.auth.principal import Principal
from shared.errors import Forbidden

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
    supersedes N; when nothing changed the current version is returned (200)."""
    async with runtime.uow(principal) as uow:
        order, created = await use_cases.issue_travel_order(
            uow, principal, nomination_id, config, today
        )
    response.status_code = 201 if created else 200
    response.headers["Location"] = location(PREFIX, nomination_id, "ito", order.version)
    return travel_order_public(order, principal)


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
    """One version of the travel order as a PDF (SCO of the country, vetters, admins)."""
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
