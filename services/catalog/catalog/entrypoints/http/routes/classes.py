"""`/classes`: offerings of courses, their capacity and status, and their seats."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter

from catalog.adapters import queries
from catalog.adapters.read_cache import Rendered
from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.domain.course import EimetPolicy
from catalog.domain.errors import ClassNotFound
from catalog.domain.events import SeatStatus
from catalog.domain.offering import ClassStatus
from catalog.entrypoints.authorization import Manager, SeatReader
from catalog.entrypoints.clock import utc_now, utc_today
from catalog.entrypoints.http.cached import answer, weak_etag
from catalog.entrypoints.http.deps import (
    PREFIX,
    EimetPolicyDep,
    HoldPolicyDep,
    IfMatchCheck,
    ReadCacheDep,
    RuntimeDep,
)
from catalog.entrypoints.http.schemas.classes import (
    ClassCancel,
    ClassCreate,
    ClassPage,
    ClassPublic,
    ClassUpdate,
    SeatPage,
    SeatPublic,
)
from catalog.entrypoints.http.schemas.common import MaslNumber, problems
from catalog.service_layer import classes as use_cases
from catalog.service_layer.classes import ClassEdit
from shared.contracts.types import FiscalYear
from shared.http.auth import CurrentPrincipal
from shared.http.etag import set_etag
from shared.http.pagination import PageQuery

router = APIRouter(prefix=f"{PREFIX}/classes", tags=["classes"])
_PAGE = TypeAdapter(ClassPage)


def _public(row: queries.ClassRow, policy: EimetPolicy) -> ClassPublic:
    return ClassPublic.of(
        row.offering, row.course_title, policy.status(row.eimet_certified_on, utc_today())
    )


async def _stored(uow: SqlCatalogUnitOfWork, class_id: UUID) -> queries.ClassRow:
    row = await queries.get_class(uow.session, class_id)
    if row is None:
        raise ClassNotFound(f"No class {class_id}.")
    return row


@router.post(
    "", status_code=201, response_model=ClassPublic, responses=problems(401, 403, 409, 422)
)
async def schedule_class(
    body: ClassCreate,
    principal: Manager,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    response: Response,
) -> ClassPublic:
    """Schedule a class of an active course (catalog managers): report date <= start <= end,
    starting today or later, capacity within the course's class size. It opens at once and is
    published as `class_scheduled`."""
    report_date = body.report_date or body.start_date - timedelta(
        days=runtime.settings.default_report_days_before_start
    )
    async with runtime.uow(principal) as uow:
        offering = await use_cases.schedule_class(
            uow,
            masl_id=body.masl_id,
            start_date=body.start_date,
            end_date=body.end_date,
            report_date=report_date,
            capacity=body.capacity,
            today=utc_today(),
        )
        row = await _stored(uow, offering.id)
        await uow.commit()
    response.headers["Location"] = f"{PREFIX}/classes/{offering.id}"
    set_etag(response, offering.id, row.offering.version)
    return _public(row, policy)


@router.get("", response_model=ClassPage, responses=problems(400, 401, 422))
async def list_classes(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    page: PageQuery,
    cache: ReadCacheDep,
    request: Request,
    masl_id: MaslNumber | None = None,
    institution_id: UUID | None = None,
    status: ClassStatus | None = None,
    fiscal_year: Annotated[
        FiscalYear | None, Query(description="Fiscal year of the start date")
    ] = None,
    starts_from: Annotated[date | None, Query(description="Starting on or after")] = None,
    starts_to: Annotated[date | None, Query(description="Starting on or before")] = None,
    has_seats: Annotated[
        bool | None, Query(description="Open with a free seat (true) or not (false)")
    ] = None,
) -> Response:
    """Classes by start date (every authenticated role), with their free seats. Answered from
    the process's read cache while no class row and nothing course reads show has changed
    (ADR 0155); a weak ETag of the page, 304 to a matching `If-None-Match`."""
    filters = queries.ClassFilters(
        masl_id=masl_id,
        institution_id=institution_id,
        status=status,
        fiscal_year=fiscal_year,
        starts_from=starts_from,
        starts_to=starts_to,
        has_seats=has_seats,
    )
    key = ("classes", filters, page.limit, page.cursor, utc_today())
    generation = await cache.generation()
    rendered = cache.get(key, generation, classes=True)
    if rendered is None:
        async with runtime.read_sessions() as session:
            rows, cursor = await queries.list_classes(session, page, filters)
        body = _PAGE.dump_json(
            ClassPage(items=[_public(r, policy) for r in rows], next_cursor=cursor)
        )
        rendered = Rendered(weak_etag(body), body)
        cache.put(key, generation, rendered, classes=True)
    return answer(request, rendered.etag, rendered.body)


@router.get("/{class_id}", response_model=ClassPublic, responses=problems(401, 404))
async def get_class(
    class_id: UUID,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    response: Response,
) -> ClassPublic:
    """One class with its seat counts, and its ETag for updates."""
    async with runtime.uow(principal) as uow:
        row = await _stored(uow, class_id)
    set_etag(response, row.offering.id, row.offering.version)
    return _public(row, policy)


@router.patch(
    "/{class_id}",
    response_model=ClassPublic,
    responses=problems(400, 401, 403, 404, 409, 412, 422, 428),
)
async def update_class(
    class_id: UUID,
    body: ClassUpdate,
    principal: Manager,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    holds: HoldPolicyDep,
    check: IfMatchCheck,
    response: Response,
) -> ClassPublic:
    """Change dates, capacity or status (catalog managers; `If-Match` required). Capacity may
    shrink only down to the seats held or confirmed (409 otherwise); added seats go to the
    waitlist first. `closed` stops new nominations, `open` takes them again. Published as
    `class_changed`."""
    edit = ClassEdit(
        start_date=body.start_date,
        end_date=body.end_date,
        report_date=body.report_date,
        capacity=body.capacity,
        status=ClassStatus(body.status) if body.status else None,
    )
    async with runtime.uow(principal) as uow:
        await use_cases.edit_class(uow, class_id, edit, check, holds, utc_now())
        row = await _stored(uow, class_id)
        await uow.commit()
    set_etag(response, row.offering.id, row.offering.version)
    return _public(row, policy)


@router.post(
    "/{class_id}/cancel",
    response_model=ClassPublic,
    responses=problems(400, 401, 403, 404, 409, 412, 422, 428),
)
async def cancel_class(
    class_id: UUID,
    body: ClassCancel,
    principal: Manager,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    holds: HoldPolicyDep,
    check: IfMatchCheck,
    response: Response,
) -> ClassPublic:
    """Cancel a class for good (catalog managers; `If-Match` required). Every hold, confirmed
    seat and waitlist place is released (`seat_released`, reason `class_cancelled`) and the
    nominations are told (`class_cancelled` with the affected nomination ids)."""
    async with runtime.uow(principal) as uow:
        await use_cases.cancel_class(
            uow, class_id, body.reason, check, holds, utc_now(), reason_code=body.reason_code
        )
        row = await _stored(uow, class_id)
        await uow.commit()
    set_etag(response, row.offering.id, row.offering.version)
    return _public(row, policy)


@router.get("/{class_id}/seats", response_model=SeatPage, responses=problems(400, 401, 403, 404))
async def list_seats(
    class_id: UUID,
    principal: SeatReader,
    runtime: RuntimeDep,
    page: PageQuery,
    status: Annotated[SeatStatus | None, Query(description="Only seats in this state")] = None,
) -> SeatPage:
    """Who holds, has or awaits a seat in the class, by nomination id, with waitlist positions
    (catalog managers, auditors, admins)."""
    async with runtime.uow(principal) as uow:
        await _stored(uow, class_id)
        rows, cursor = await queries.list_seats(
            uow.session, page, class_id, status.value if status else None
        )
    return SeatPage(
        items=[SeatPublic.model_validate(dict(r._mapping)) for r in rows], next_cursor=cursor
    )
