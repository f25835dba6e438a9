"""Invitational Travel Orders: the gate, the numbering, immutable versions, recalls.

An ITO is issued only when every screening item holds (`domain.gate.gate_problems`); otherwise
409 lists everything still missing. An issued order never changes: issuing again after
something changed (report date, obligation, student data) creates version N+1 under the same
number and supersedes version N, which stays readable. Issuing again when nothing changed
returns the current version. An order whose facts stop holding is recalled
(`screening.review_travel_order`); the next version, once the gate holds again, keeps the number.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from nomination.domain import events
from nomination.domain.candidate import Candidate
from nomination.domain.errors import TravelOrderGateClosed, TravelOrderNotFound
from nomination.domain.gate import english_exempt, gate_problems
from nomination.domain.nomination import Nomination
from nomination.domain.reference import ClassFacts, CourseFacts
from nomination.domain.travel_order import TravelOrder, content_digest, ito_number
from nomination.service_layer.authorization import require_own_country
from nomination.service_layer.changes import add_history
from nomination.service_layer.config import Config
from nomination.service_layer.nominations import visible_nomination
from nomination.service_layer.screening import facts_of
from nomination.service_layer.unit_of_work import NominationUnitOfWork
from shared.auth.principal import Principal


def _content(
    row: Nomination, candidate: Candidate, klass: ClassFacts, course: CourseFacts, exempt: bool
) -> dict[str, Any]:
    """What the order says (DOMAIN.md): student, course, school, dates, English, funding."""
    return {
        "student": {
            "family_names": candidate.family_names,
            "given_names": candidate.given_names,
            "sex": candidate.sex,
            "date_of_birth": _iso(candidate.date_of_birth),
            "passport_number": candidate.passport_number,
            "country": candidate.country,
            "service": candidate.service,
            "rank": candidate.rank,
            "pay_grade": candidate.pay_grade,
            "unit_name": candidate.unit_name,
            "unit_id": str(candidate.unit_id) if candidate.unit_id else None,
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
            "living_allowance": _living_allowance(row),
        },
        "english": _english(course, exempt),
        "with_dependents": row.with_dependents,
        "fiscal_year": row.fiscal_year,
    }


def _iso(day: date | None) -> str | None:
    # The gate requires complete data (a date of birth) before an order is issued.
    return day.isoformat() if day is not None else None


def _living_allowance(row: Nomination) -> dict[str, Any] | None:
    """The TLA line as funding obligated it: lodging, meals and incidentals per day, days."""
    if row.tla_days is None:
        return None
    return {
        "lodging_per_day": f"{row.tla_lodging_per_day:.2f}",
        "meals_per_day": f"{row.tla_meals_per_day:.2f}",
        "incidentals_per_day": f"{row.tla_incidentals_per_day:.2f}",
        "days": row.tla_days,
        "total": f"{row.living_allowance:.2f}",
    }


def _english(course: CourseFacts, exempt: bool) -> dict[str, Any]:
    requirement = course.english
    return {
        "test": requirement.test if requirement else None,
        "min_score": requirement.min_score if requirement else None,
        "tested_on_arrival": exempt,
    }


async def issue_travel_order(
    uow: NominationUnitOfWork,
    principal: Principal,
    nomination_id: UUID,
    config: Config,
    today: date,
) -> tuple[TravelOrder, bool]:
    """Issue (or re-issue after a change) the ITO; the order and whether a new version was made.

    Gate (the same one that starts training and keeps an order current): vetting approved and
    valid through the report date; English requirement met (or the country is ECL-exempt:
    tested on arrival); E-IMET funding only while the course's certification holds; medical
    clearance and security screening recorded; funds obligated; seat confirmed; student data
    complete at least N days (setting) before the report date. After a recall the next version
    keeps the number."""
    row = await visible_nomination(uow, principal, nomination_id, for_update=True)
    require_own_country(principal, row.country)
    uow.rules = config.rules
    facts = await facts_of(uow, row)
    missing = gate_problems(facts, config.rules, on=today)
    if missing or facts.klass is None or facts.course is None:
        raise TravelOrderGateClosed(
            "Screening is incomplete: " + ", ".join(p.code for p in missing) + ".",
            missing=[{"code": p.code, "field": p.field, "message": p.message} for p in missing],
        )
    candidate = await uow.candidates.get(row.candidate_id)
    assert candidate is not None  # a foreign key guarantees it
    content = _content(row, candidate, facts.klass, facts.course, english_exempt(facts))
    digest = content_digest(content)
    current = await uow.travel_orders.current(row.id)
    if current is not None and current.content_digest == digest:
        return current, False
    now = uow.clock()
    latest = current or await uow.travel_orders.latest(row.id)
    if current is not None:
        await uow.travel_orders.supersede(current.id, now)
    if latest is not None:
        number, version = latest.number, latest.version + 1
    else:
        serial = await uow.travel_orders.next_serial(row.country)
        number, version = (
            ito_number(row.country, facts.course.agency_letter, serial, facts.klass.report_date),
            1,
        )
    order = await uow.travel_orders.add(
        nomination_id=row.id, version=version, number=number, content=content, digest=digest,
        issued_at=now, issued_by=principal.subject,
    )  # fmt: skip
    await add_history(
        uow, row, "document", reason="ito_issued", detail={"number": number, "version": version}
    )
    uow.emit(events.TravelOrderIssued(row, order))
    uow.audit(
        "travel_order.issued", "nomination", str(row.id),
        before={"number": latest.number, "version": latest.version} if latest else None,
        after={"number": number, "version": version, "content_digest": digest},
    )  # fmt: skip
    await uow.commit()
    return order, True


async def travel_orders(
    uow: NominationUnitOfWork, principal: Principal, nomination_id: UUID
) -> list[TravelOrder]:
    row = await visible_nomination(uow, principal, nomination_id)
    return await uow.travel_orders.all_of(row.id)


async def travel_order(
    uow: NominationUnitOfWork, principal: Principal, nomination_id: UUID, version: int
) -> TravelOrder:
    row = await visible_nomination(uow, principal, nomination_id)
    order = await uow.travel_orders.get(row.id, version)
    if order is None:
        raise TravelOrderNotFound(
            f"Nomination {nomination_id} has no travel order version {version}."
        )
    return order
