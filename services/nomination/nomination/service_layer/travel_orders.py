"""Invitational Travel Orders: the gate, the numbering, immutable versions.

An ITO is issued only when every screening item holds (`domain.travel_order.gate_problems`);
otherwise 409 lists everything still missing. An issued order never changes: issuing again
after something changed (report date, obligation, student data) creates version N+1 under the
same number and supersedes version N, which stays readable. Issuing again when nothing changed
returns the current version.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row

from nomination.adapters import publishing
from nomination.adapters.candidate_repository import person_of
from nomination.adapters.nomination_repository import progress_of
from nomination.domain.errors import TravelOrderGateClosed, TravelOrderNotFound
from nomination.domain.reference import ClassFacts, CourseFacts
from nomination.domain.submission import Problem, english_problem
from nomination.domain.travel_order import Screening, content_digest, gate_problems, ito_number
from nomination.service_layer.candidates import require_own_country
from nomination.service_layer.changes import add_history
from nomination.service_layer.config import Config
from nomination.service_layer.nominations import visible_nomination
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.auth.principal import Principal


def _content(
    row: Row[Any], candidate: Row[Any], klass: ClassFacts, course: CourseFacts
) -> dict[str, Any]:
    """What the order says (DOMAIN.md): student, course, school, dates, funding."""
    return {
        "student": {
            "family_names": candidate.family_names,
            "given_names": candidate.given_names,
            "sex": candidate.sex,
            "date_of_birth": candidate.date_of_birth.isoformat(),
            "passport_number": candidate.passport_number,
            "country": candidate.country,
            "service": candidate.service,
            "rank": candidate.rank,
            "pay_grade": candidate.pay_grade,
            "unit_name": candidate.unit_name,
            "position": candidate.position,
        },
        "course": {"masl_id": course.masl_id, "title": course.title},
        "school": {"name": course.institution_name, "location": course.location},
        "class": {
            "class_id": str(klass.class_id),
            "start_date": klass.start_date.isoformat(),
            "end_date": klass.end_date.isoformat(),
            "report_date": klass.report_date.isoformat(),
        },
        "funding": {
            "source": row.funding_source,
            "obligation_id": str(row.obligation_id),
            "amount": f"{row.obligated_amount:.2f}" if row.obligated_amount is not None else None,
        },
        "with_dependents": row.with_dependents,
        "fiscal_year": row.fiscal_year,
    }


async def issue_travel_order(
    uow: NominationUnitOfWork,
    principal: Principal,
    nomination_id: UUID,
    config: Config,
    today: date,
) -> tuple[Row[Any], bool]:
    """Issue (or re-issue after a change) the ITO; the order and whether a new version was made.

    Gate: vetting approved and valid through the report date; English requirement met (or the
    country is ECL-exempt); medical clearance and security screening recorded; funds obligated;
    seat confirmed; student data complete at least N days (setting) before the report date."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    require_own_country(principal, row.country)
    klass = await uow.reference.class_facts(row.class_id)
    course = await uow.reference.course_facts(row.masl_id)
    candidate = await uow.candidates.get(row.candidate_id)
    assert candidate is not None  # a foreign key guarantees it
    country = await uow.reference.country_facts(row.country)
    progress = progress_of(row)
    english: Problem | None = Problem(
        "course-unknown", "masl_id", "the course is not in the catalog"
    )
    if course is not None:
        english = english_problem(
            person_of(candidate).english_tests,
            course,
            country,
            row.fiscal_year,
            config.rules,
            today,
        )
    screening = Screening(
        state=progress.state,
        seat=progress.seat,
        vetting=progress.vetting,
        vetting_valid_until=row.vetting_valid_until,
        funding=progress.funding,
        medical_cleared_on=row.medical_cleared_on,
        security_screened_on=row.security_screened_on,
        data_complete_on=row.data_complete_on,
    )
    missing = gate_problems(screening, klass, english, config.rules)
    if missing or klass is None or course is None:
        raise TravelOrderGateClosed(
            "Screening is incomplete: " + ", ".join(p.code for p in missing) + ".",
            missing=[{"code": p.code, "field": p.field, "message": p.message} for p in missing],
        )
    content = _content(row, candidate, klass, course)
    digest = content_digest(content)
    current = await uow.travel_orders.current(row.id)
    if current is not None and current.content_digest == digest:
        return current, False
    now = datetime.now(UTC)
    if current is not None:
        await uow.travel_orders.supersede(current.id, now)
        number, version = current.number, current.version + 1
    else:
        serial = await uow.travel_orders.next_serial(row.country)
        number, version = (
            ito_number(row.country, course.agency_letter, serial, klass.report_date),
            1,
        )
    order = await uow.travel_orders.add(
        nomination_id=row.id, version=version, number=number, content=content, digest=digest,
        issued_at=now, issued_by=principal.subject,
    )  # fmt: skip
    await add_history(
        uow, row, "document", reason="ito_issued", detail={"number": number, "version": version}
    )
    uow.publish(publishing.ito_issued(row, order))
    uow.audit(
        "travel_order.issued", "nomination", str(row.id),
        before={"number": current.number, "version": current.version} if current else None,
        after={"number": number, "version": version, "content_digest": digest},
    )  # fmt: skip
    await uow.commit()
    return order, True


async def travel_orders(
    uow: NominationUnitOfWork, principal: Principal, nomination_id: UUID
) -> list[Row[Any]]:
    row = await visible_nomination(uow, principal, nomination_id)
    return await uow.travel_orders.all_of(row.id)


async def travel_order(
    uow: NominationUnitOfWork, principal: Principal, nomination_id: UUID, version: int
) -> Row[Any]:
    row = await visible_nomination(uow, principal, nomination_id)
    order = await uow.travel_orders.get(row.id, version)
    if order is None:
        raise TravelOrderNotFound(
            f"Nomination {nomination_id} has no travel order version {version}."
        )
    return order
