"""`/institutions`: the schoolhouses courses are taught at."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from catalog.adapters import queries
from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.domain.course import Institution
from catalog.domain.errors import InstitutionNotFound
from catalog.domain.masl import Agency
from catalog.entrypoints.authorization import Manager
from catalog.entrypoints.http.deps import PREFIX, EimetPolicyDep, IfMatchCheck, RuntimeDep
from catalog.entrypoints.http.schemas.common import NO_NUL, problems
from catalog.entrypoints.http.schemas.institutions import (
    InstitutionCreate,
    InstitutionPage,
    InstitutionPublic,
    InstitutionUpdate,
)
from catalog.service_layer import institutions as use_cases
from shared.http.auth import CurrentPrincipal
from shared.http.etag import etag_for, not_modified, set_etag
from shared.http.pagination import PageQuery

router = APIRouter(prefix=f"{PREFIX}/institutions", tags=["institutions"])


async def _stored(uow: SqlCatalogUnitOfWork, institution_id: UUID) -> Institution:
    item = await queries.get_institution(uow.session, institution_id)
    if item is None:
        raise InstitutionNotFound(f"No institution {institution_id}.")
    return item


@router.post(
    "", status_code=201, response_model=InstitutionPublic, responses=problems(401, 403, 409, 422)
)
async def create_institution(
    body: InstitutionCreate, principal: Manager, runtime: RuntimeDep, response: Response
) -> InstitutionPublic:
    """Register a schoolhouse (catalog managers). Names are unique regardless of letter case;
    government quarters and mess decide the students' living allowance."""
    async with runtime.uow(principal) as uow:
        item = await use_cases.create_institution(uow, **body.model_dump())
        stored = await _stored(uow, item.id)
        await uow.commit()
    response.headers["Location"] = f"{PREFIX}/institutions/{item.id}"
    set_etag(response, item.id, stored.version)
    return InstitutionPublic.of(stored)


@router.get("", response_model=InstitutionPage, responses=problems(400, 401))
async def list_institutions(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    page: PageQuery,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=100, pattern=NO_NUL, description="Text in name or location"),
    ] = None,
    agency: Annotated[Agency | None, Query(description="Implementing agency")] = None,
) -> InstitutionPage:
    """Schoolhouses by name (every authenticated role)."""
    async with runtime.read_sessions() as session:
        items, cursor = await queries.list_institutions(
            session, page, q, agency.value if agency else None
        )
    return InstitutionPage(items=[InstitutionPublic.of(i) for i in items], next_cursor=cursor)


@router.get("/{institution_id}", response_model=InstitutionPublic, responses=problems(401, 404))
async def get_institution(
    institution_id: UUID,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    request: Request,
    response: Response,
) -> InstitutionPublic | Response:
    """One schoolhouse, with its ETag for updates."""
    async with runtime.uow(principal) as uow:
        item = await _stored(uow, institution_id)
    unchanged = not_modified(request, etag_for(item.id, item.version))
    if unchanged is not None:
        return unchanged
    set_etag(response, item.id, item.version)
    return InstitutionPublic.of(item)


@router.patch(
    "/{institution_id}",
    response_model=InstitutionPublic,
    responses=problems(400, 401, 403, 404, 409, 412, 422, 428),
)
async def update_institution(
    institution_id: UUID,
    body: InstitutionUpdate,
    principal: Manager,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    check: IfMatchCheck,
    response: Response,
) -> InstitutionPublic:
    """Change a schoolhouse (catalog managers; `If-Match` required). Every course taught there is
    republished (`course_changed`), since the institution travels in the course events."""
    async with runtime.uow(principal) as uow:
        item = await use_cases.update_institution(
            uow, institution_id, body.changes(), check, policy
        )
        stored = await _stored(uow, item.id)
        await uow.commit()
    set_etag(response, stored.id, stored.version)
    return InstitutionPublic.of(stored)


@router.delete(
    "/{institution_id}",
    status_code=204,
    response_class=Response,
    responses=problems(400, 401, 403, 404, 409, 412, 428),
)
async def delete_institution(
    institution_id: UUID, principal: Manager, runtime: RuntimeDep, check: IfMatchCheck
) -> Response:
    """Delete a schoolhouse without courses (catalog managers; `If-Match` required)."""
    async with runtime.uow(principal) as uow:
        await use_cases.delete_institution(uow, institution_id, check)
        await uow.commit()
    return Response(status_code=204)
