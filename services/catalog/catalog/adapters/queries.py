"""Read side: the catalog's searches, lists and views (filters + keyset pagination).

The only module the routes and jobs read through; it returns domain objects (or small view
records of them), never rows, except the seat list whose rows the route shapes itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from catalog.adapters.repositories.classes import class_from_row
from catalog.adapters.repositories.courses import course_from_row
from catalog.adapters.repositories.institutions import institution_from_row
from catalog.adapters.tables import course, course_class, institution, seat, tuition_rate
from catalog.domain.course import Course, EimetPolicy, Institution
from catalog.domain.events import SeatStatus
from catalog.domain.offering import ClassStatus, CourseClass
from shared.http.pagination import PageParams, paginate

EimetFilter = Literal["current", "recertification_due", "lapsed", "none"]


@dataclass(frozen=True)
class CourseFilters:
    q: str | None = None
    category: str | None = None
    institution_id: UUID | None = None
    agency_letter: str | None = None
    ecl: int | None = None
    toefl_ibt: int | None = None
    eimet: EimetFilter | None = None
    starts_from: date | None = None
    starts_to: date | None = None
    fiscal_year: int | None = None
    include_inactive: bool = False


@dataclass(frozen=True)
class ClassFilters:
    masl_id: str | None = None
    institution_id: UUID | None = None
    status: ClassStatus | None = None
    fiscal_year: int | None = None
    starts_from: date | None = None
    starts_to: date | None = None
    has_seats: bool | None = None


async def get_institution(session: AsyncSession, institution_id: UUID) -> Institution | None:
    row = (
        await session.execute(select(institution).where(institution.c.id == institution_id))
    ).first()
    return institution_from_row(row) if row else None


async def list_institutions(
    session: AsyncSession, page: PageParams, q: str | None, agency: str | None
) -> tuple[list[Institution], str | None]:
    stmt = select(institution)
    if q:
        stmt = stmt.where(
            or_(
                institution.c.name.icontains(q, autoescape=True),
                institution.c.location.icontains(q, autoescape=True),
            )
        )
    if agency:
        stmt = stmt.where(institution.c.implementing_agency == agency)
    rows, cursor = await paginate(session, stmt, page, [institution.c.name, institution.c.id])
    return [institution_from_row(r) for r in rows], cursor


def _eimet_condition(which: EimetFilter, policy: EimetPolicy, today: date) -> ColumnElement[bool]:
    certified = course.c.eimet_certified_on
    # date + interval clamps 29 February like the domain's add_years.
    renewal_due_on = certified + func.make_interval(policy.validity_years)
    lapsed = renewal_due_on <= today
    if which == "none":
        return certified.is_(None)
    if which == "lapsed":
        return and_(certified.is_not(None), lapsed)
    if which == "current":
        return and_(certified.is_not(None), renewal_due_on > today)
    warn_until = today + timedelta(days=policy.warning_days)
    return and_(certified.is_not(None), renewal_due_on > today, renewal_due_on <= warn_until)


def _english_condition(ecl: int | None, toefl: int | None) -> ColumnElement[bool]:
    qualifies: list[ColumnElement[bool]] = [course.c.english_test.is_(None)]
    if ecl is not None:
        qualifies.append(and_(course.c.english_test == "ecl", course.c.english_min_score <= ecl))
    if toefl is not None:
        qualifies.append(
            and_(course.c.english_test == "toefl_ibt", course.c.english_min_score <= toefl)
        )
    return or_(*qualifies)


def _class_exists(f: CourseFilters) -> ColumnElement[bool]:
    conditions = [
        course_class.c.masl_id == course.c.masl_id,
        course_class.c.status != ClassStatus.CANCELLED.value,
    ]
    if f.starts_from:
        conditions.append(course_class.c.start_date >= f.starts_from)
    if f.starts_to:
        conditions.append(course_class.c.start_date <= f.starts_to)
    if f.fiscal_year:
        conditions.append(course_class.c.fiscal_year == f.fiscal_year)
    return exists().where(*conditions)


async def search_courses(
    session: AsyncSession, page: PageParams, f: CourseFilters, policy: EimetPolicy, today: date
) -> tuple[list[tuple[Course, Institution]], str | None]:
    stmt = select(course)
    if not f.include_inactive:
        stmt = stmt.where(course.c.active.is_(True))
    if f.q:
        # The course's institution is also joined to the outer select: correlate only course.
        at_institution = (
            exists()
            .where(
                institution.c.id == course.c.institution_id,
                institution.c.name.icontains(f.q, autoescape=True),
            )
            .correlate(course)
        )
        stmt = stmt.where(
            or_(
                course.c.title.icontains(f.q, autoescape=True),
                course.c.masl_id.istartswith(f.q, autoescape=True),
                course.c.description.icontains(f.q, autoescape=True),
                at_institution,
            )
        )
    if f.category:
        stmt = stmt.where(course.c.category == f.category)
    if f.institution_id:
        stmt = stmt.where(course.c.institution_id == f.institution_id)
    if f.agency_letter:
        stmt = stmt.where(course.c.masl_id.startswith(f.agency_letter))
    if f.ecl is not None or f.toefl_ibt is not None:
        stmt = stmt.where(_english_condition(f.ecl, f.toefl_ibt))
    if f.eimet:
        stmt = stmt.where(_eimet_condition(f.eimet, policy, today))
    if f.starts_from or f.starts_to or f.fiscal_year:
        stmt = stmt.where(_class_exists(f))
    stmt = _with_institution_and_tuition(stmt)
    rows, cursor = await paginate(session, stmt, page, [course.c.masl_id])
    return [_course_with_institution(r) for r in rows], cursor


async def get_course(session: AsyncSession, masl_id: str) -> tuple[Course, Institution] | None:
    """A course with its tuition and its institution (one statement)."""
    stmt = _with_institution_and_tuition(select(course).where(course.c.masl_id == masl_id))
    row = (await session.execute(stmt)).first()
    return _course_with_institution(row) if row else None


_INSTITUTION = "institution__"


def _with_institution_and_tuition(stmt: Select[Any]) -> Select[Any]:
    """`stmt` (a select of course rows) joined to each course's institution, plus its tuition as
    two arrays ordered by fiscal year: a course, its institution and its rates in ONE statement
    (ADR 0120; it was three, each a round trip, with an IN list compiled anew per call)."""

    def rates(column: Any) -> Any:
        return (
            select(func.array_agg(aggregate_order_by(column, tuition_rate.c.fiscal_year)))
            .where(tuition_rate.c.masl_id == course.c.masl_id)
            .scalar_subquery()
        )

    return stmt.join(institution, institution.c.id == course.c.institution_id).add_columns(
        *(c.label(f"{_INSTITUTION}{c.name}") for c in institution.c),
        rates(tuition_rate.c.fiscal_year).label("tuition_years"),
        rates(tuition_rate.c.amount).label("tuition_amounts"),
    )


@dataclass(frozen=True)
class _Prefixed:
    _mapping: dict[str, Any]


def _course_with_institution(row: Any) -> tuple[Course, Institution]:
    m = row._mapping
    rates = dict(zip(m["tuition_years"] or (), m["tuition_amounts"] or (), strict=True))
    cut = len(_INSTITUTION)
    owner = _Prefixed({k[cut:]: v for k, v in m.items() if k.startswith(_INSTITUTION)})
    return course_from_row(row, rates), institution_from_row(owner)


@dataclass(frozen=True)
class ClassRow:
    offering: CourseClass
    course_title: str
    eimet_certified_on: date | None


async def list_classes(
    session: AsyncSession, page: PageParams, f: ClassFilters
) -> tuple[list[ClassRow], str | None]:
    stmt = select(
        course_class, course.c.title.label("course_title"), course.c.eimet_certified_on
    ).join(course, course.c.masl_id == course_class.c.masl_id)
    if f.masl_id:
        stmt = stmt.where(course_class.c.masl_id == f.masl_id)
    if f.institution_id:
        stmt = stmt.where(course.c.institution_id == f.institution_id)
    if f.status:
        stmt = stmt.where(course_class.c.status == f.status.value)
    if f.fiscal_year:
        stmt = stmt.where(course_class.c.fiscal_year == f.fiscal_year)
    if f.starts_from:
        stmt = stmt.where(course_class.c.start_date >= f.starts_from)
    if f.starts_to:
        stmt = stmt.where(course_class.c.start_date <= f.starts_to)
    if f.has_seats is not None:
        free = and_(
            course_class.c.status == ClassStatus.OPEN.value,
            course_class.c.capacity > course_class.c.seats_held + course_class.c.seats_confirmed,
        )
        stmt = stmt.where(free if f.has_seats else ~free)
    rows, cursor = await paginate(
        session, stmt, page, [course_class.c.start_date, course_class.c.id]
    )
    return [ClassRow(class_from_row(r), r.course_title, r.eimet_certified_on) for r in rows], cursor


async def get_class(session: AsyncSession, class_id: UUID) -> ClassRow | None:
    stmt = (
        select(course_class, course.c.title.label("course_title"), course.c.eimet_certified_on)
        .join(course, course.c.masl_id == course_class.c.masl_id)
        .where(course_class.c.id == class_id)
    )
    row = (await session.execute(stmt)).first()
    return ClassRow(class_from_row(row), row.course_title, row.eimet_certified_on) if row else None


async def list_seats(
    session: AsyncSession, page: PageParams, class_id: UUID, status: str | None
) -> tuple[list[Any], str | None]:
    """Seats of a class with each waitlisted nomination's position (1 = next)."""
    ahead = aliased(seat)
    position = (
        select(func.count())
        .where(
            ahead.c.class_id == seat.c.class_id,
            ahead.c.status == "waitlisted",
            ahead.c.waitlist_seq <= seat.c.waitlist_seq,
        )
        .scalar_subquery()
    )
    stmt = select(
        seat, case((seat.c.status == "waitlisted", position), else_=None).label("waitlist_position")
    )
    stmt = stmt.where(seat.c.class_id == class_id, seat.c.status == status if status else true())
    rows, cursor = await paginate(session, stmt, page, [seat.c.created_at, seat.c.id])
    return list(rows), cursor


async def classes_with_lapsed_holds(session: AsyncSession, now: datetime, limit: int) -> list[UUID]:
    """Classes with a hold expired at `now`, the longest-lapsed first (the expiry sweep's work)."""
    stmt = (
        select(seat.c.class_id)
        .where(seat.c.status == SeatStatus.HELD.value, seat.c.hold_expires_at <= now)
        .group_by(seat.c.class_id)
        .order_by(func.min(seat.c.hold_expires_at))
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())
