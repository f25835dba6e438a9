"""`/courses`: courses by MASL number, their search, facts and tuition.

Course detail and search are answered from the process's read cache while the catalog's read
generation has not moved (`catalog.adapters.read_cache`, ADR 0120); both carry an ETag and
answer 304 to a matching `If-None-Match`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import TypeAdapter

from catalog.adapters import queries
from catalog.adapters.read_cache import Rendered
from catalog.adapters.unit_of_work import SqlCatalogUnitOfWork
from catalog.domain.course import Course, CourseCategory, EimetPolicy, Institution
from catalog.domain.errors import CourseNotFound
from catalog.domain.masl import AGENCY_BY_LETTER, Agency
from catalog.entrypoints.authorization import Manager
from catalog.entrypoints.clock import utc_today
from catalog.entrypoints.http.cached import answer, weak_etag
from catalog.entrypoints.http.deps import (
    PREFIX,
    EimetPolicyDep,
    IfMatchCheck,
    MaslPath,
    ReadCacheDep,
    RuntimeDep,
)
from catalog.entrypoints.http.schemas.common import NO_NUL, problems
from catalog.entrypoints.http.schemas.courses import (
    CourseCreate,
    CoursePage,
    CoursePublic,
    CourseUpdate,
)
from catalog.service_layer import courses as use_cases
from shared.contracts.types import FiscalYear
from shared.http.auth import CurrentPrincipal
from shared.http.etag import etag_for, set_etag
from shared.http.pagination import PageQuery

router = APIRouter(prefix=f"{PREFIX}/courses", tags=["courses"])
_PAGE = TypeAdapter(CoursePage)
_COURSE = TypeAdapter(CoursePublic)
LETTER = {agency: letter for letter, agency in AGENCY_BY_LETTER.items()}


def _public(course: Course, institution: Institution, policy: EimetPolicy) -> CoursePublic:
    return CoursePublic.of(
        course, institution, policy.status(course.eimet_certified_on, utc_today())
    )


async def _stored(uow: SqlCatalogUnitOfWork, masl_id: str) -> tuple[Course, Institution]:
    found = await queries.get_course(uow.session, masl_id)
    if found is None:
        raise CourseNotFound(f"No course {masl_id} in the catalog.")
    return found


@router.post(
    "", status_code=201, response_model=CoursePublic, responses=problems(401, 403, 409, 422)
)
async def create_course(
    body: CourseCreate,
    principal: Manager,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    response: Response,
) -> CoursePublic:
    """Add a course under its MASL number (catalog managers). Class sizes need 1 <= min <= max,
    an English minimum must fit its test (ECL 0-100, TOEFL iBT 0-120), tuition is set per fiscal
    year in USD. Published to the other services as `course_published`."""
    async with runtime.uow(principal) as uow:
        course, _ = await use_cases.publish_course(uow, body.to_domain(), policy)
        stored, institution = await _stored(uow, course.masl_id)
        await uow.commit()
    response.headers["Location"] = f"{PREFIX}/courses/{stored.masl_id}"
    set_etag(response, stored.masl_id, stored.version)
    return _public(stored, institution, policy)


@router.get("", response_model=CoursePage, responses=problems(400, 401, 422))
async def list_courses(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    page: PageQuery,
    cache: ReadCacheDep,
    request: Request,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=NO_NUL,
            description="Text in title, description, institution; or a MASL prefix",
        ),
    ] = None,
    category: CourseCategory | None = None,
    institution_id: UUID | None = None,
    agency: Annotated[Agency | None, Query(description="Implementing agency (MASL letter)")] = None,
    ecl: Annotated[
        int | None, Query(ge=0, le=100, description="Courses a candidate with this ECL may attend")
    ] = None,
    toefl_ibt: Annotated[
        int | None, Query(ge=0, le=120, description="... with this TOEFL iBT score")
    ] = None,
    eimet: Annotated[
        queries.EimetFilter | None, Query(description="E-IMET certification state")
    ] = None,
    starts_from: Annotated[
        date | None, Query(description="Has a class starting on or after")
    ] = None,
    starts_to: Annotated[
        date | None, Query(description="Has a class starting on or before")
    ] = None,
    fiscal_year: Annotated[
        FiscalYear | None, Query(description="Has a class in this fiscal year")
    ] = None,
    include_inactive: Annotated[bool, Query(description="Also retired courses")] = False,
) -> Response:
    """Search the catalog (every authenticated role), ordered by MASL number. `ecl`/`toefl_ibt`
    keep courses whose English requirement the score meets (or that have none); `eimet` filters
    by certification state (`current` includes those due for renewal)."""
    filters = queries.CourseFilters(
        q=q,
        category=category.value if category else None,
        institution_id=institution_id,
        agency_letter=LETTER[agency] if agency else None,
        ecl=ecl,
        toefl_ibt=toefl_ibt,
        eimet=eimet,
        starts_from=starts_from,
        starts_to=starts_to,
        fiscal_year=fiscal_year,
        include_inactive=include_inactive,
    )
    today = utc_today()
    key = ("search", filters, page.limit, page.cursor, today)
    generation = await cache.generation()
    rendered = cache.get(key, generation)
    if rendered is None:
        async with runtime.read_sessions() as session:
            found, cursor = await queries.search_courses(session, page, filters, policy, today)
        body = _PAGE.dump_json(
            CoursePage(items=[_public(c, i, policy) for c, i in found], next_cursor=cursor)
        )
        rendered = Rendered(weak_etag(body), body)
        cache.put(key, generation, rendered)
    return _answer(request, rendered)


@router.get("/{masl_id}", response_model=CoursePublic, responses=problems(401, 404, 422))
async def get_course(
    masl_id: MaslPath,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    cache: ReadCacheDep,
    request: Request,
) -> Response:
    """One course with its tuition per fiscal year and E-IMET flags, and its ETag (answers
    304 to an `If-None-Match` naming it)."""
    key = ("detail", masl_id, utc_today())
    generation = await cache.generation()
    rendered = cache.get(key, generation)
    if rendered is None:
        async with runtime.read_sessions() as session:  # one statement, no transaction
            found = await queries.get_course(session, masl_id)
        if found is None:
            raise CourseNotFound(f"No course {masl_id} in the catalog.")
        course, institution = found
        body = _COURSE.dump_json(_public(course, institution, policy))
        rendered = Rendered(etag_for(course.masl_id, course.version), body)
        cache.put(key, generation, rendered)
    return _answer(request, rendered)


def _answer(request: Request, rendered: Rendered) -> Response:
    return answer(request, rendered.etag, rendered.body)


@router.patch(
    "/{masl_id}",
    response_model=CoursePublic,
    responses=problems(400, 401, 403, 404, 409, 412, 422, 428),
)
async def update_course(
    masl_id: MaslPath,
    body: CourseUpdate,
    principal: Manager,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    check: IfMatchCheck,
    response: Response,
) -> CoursePublic:
    """Change a course (catalog managers; `If-Match` required). `tuition` sets the rates of the
    fiscal years given; other years keep theirs. Published as `course_changed`."""
    async with runtime.uow(principal) as uow:
        await use_cases.update_course(
            uow, masl_id, body.course_changes(), body.tuition_rates(), check, policy
        )
        stored, institution = await _stored(uow, masl_id)
        await uow.commit()
    set_etag(response, stored.masl_id, stored.version)
    return _public(stored, institution, policy)


@router.delete(
    "/{masl_id}", response_model=CoursePublic, responses=problems(400, 401, 403, 404, 412, 422, 428)
)
async def retire_course(
    masl_id: MaslPath,
    principal: Manager,
    runtime: RuntimeDep,
    policy: EimetPolicyDep,
    check: IfMatchCheck,
    response: Response,
) -> CoursePublic:
    """Retire a course (catalog managers; `If-Match` required): no new classes, scheduled ones
    and their seats stay; it remains readable and `PATCH {"active": true}` brings it back."""
    async with runtime.uow(principal) as uow:
        await use_cases.retire_course(uow, masl_id, check, policy)
        stored, institution = await _stored(uow, masl_id)
        await uow.commit()
    set_etag(response, stored.masl_id, stored.version)
    return _public(stored, institution, policy)
