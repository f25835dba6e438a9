"""Keeping the read model: one handler per fact the public topics tell (called by reactions).

Each handler records the fact (and moves the pre-aggregated projections from the nomination's
old contribution to its new one, ADR 0140) and that its topic was applied up to the event's
time (what `GET /api/v1/reports/status` shows). Facts of one nomination from different
topics may come in any order, so each lands in its own table and the reports join them.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from reporting.domain.facts import ZERO, CountryRef, CourseFact, LineFact
from reporting.service_layer.unit_of_work import ReportingUnitOfWork


async def seen(uow: ReportingUnitOfWork, topic: str, at: datetime) -> None:
    await uow.positions.applied(topic, at)


async def record_course(
    uow: ReportingUnitOfWork, course: CourseFact, version: int, topic: str, at: datetime
) -> None:
    """A course's title, category, schoolhouse and location (newest version wins)."""
    await uow.courses.upsert(course, version)
    await seen(uow, topic, at)


async def record_nomination(
    uow: ReportingUnitOfWork,
    nomination_id: UUID,
    *,
    country: str,
    fiscal_year: int,
    masl_id: str,
    class_id: UUID,
    candidate_id: UUID | None,
    unit_name: str | None = None,
    topic: str,
    at: datetime,
) -> None:
    """A nomination was created (draft) or submitted (its candidate and unit are known from
    then on)."""
    async with uow.aggregates.of_nomination(nomination_id, "nomination"):
        await uow.nominations.record(
            nomination_id, country=country, fiscal_year=fiscal_year, masl_id=masl_id,
            class_id=class_id, candidate_id=candidate_id, unit_name=unit_name, at=at,
        )  # fmt: skip
    await seen(uow, topic, at)


async def change_unit(
    uow: ReportingUnitOfWork, nomination_id: UUID, unit_name: str, topic: str, at: datetime
) -> None:
    """The candidate's unit changed: the FMTR lists the latest one."""
    async with uow.aggregates.of_nomination(nomination_id, "unit"):
        await uow.nominations.unit_changed(nomination_id, unit_name)
    await seen(uow, topic, at)


async def move_nomination(
    uow: ReportingUnitOfWork, nomination_id: UUID, to_state: str, topic: str, at: datetime
) -> None:
    """A transition: the stay in the previous state ends, one in `to_state` starts; reaching
    `in_training` makes the nomination a trained student."""
    trained = to_state == "in_training"  # the only state that makes a student trained
    async with uow.aggregates.of_nomination(nomination_id, "moved" if trained else "stays"):
        await uow.nominations.move(nomination_id, to_state, at)
    await seen(uow, topic, at)


async def end_training(
    uow: ReportingUnitOfWork,
    nomination_id: UUID,
    *,
    completed: bool,
    days_attended: int,
    topic: str,
    at: datetime,
) -> None:
    async with uow.aggregates.of_nomination(nomination_id, "trained"):
        await uow.nominations.training_ended(
            nomination_id, completed=completed, days_attended=days_attended
        )
    await seen(uow, topic, at)


async def record_obligation(
    uow: ReportingUnitOfWork, line: LineFact, topic: str, at: datetime
) -> None:
    async with uow.aggregates.of_nomination(line.nomination_id, "line"):
        await uow.lines.obligated(line)
    await seen(uow, topic, at)


async def record_release(
    uow: ReportingUnitOfWork,
    nomination_id: UUID,
    *,
    returned: Decimal,
    lapsed: Decimal | None,
    refill_refund: bool,
    topic: str,
    at: datetime,
) -> None:
    """Money released from a line; a refilled seat's refund gives back a charged penalty."""
    async with uow.aggregates.of_nomination(nomination_id, "line"):
        await uow.lines.released(
            nomination_id,
            returned=returned,
            lapsed=lapsed or ZERO,
            refunded_penalty=(returned + (lapsed or ZERO)) if refill_refund else ZERO,
        )
    await seen(uow, topic, at)


async def record_charge(
    uow: ReportingUnitOfWork, nomination_id: UUID, amount: Decimal, topic: str, at: datetime
) -> None:
    async with uow.aggregates.of_nomination(nomination_id, "line"):
        await uow.lines.charged(nomination_id, amount)
    await seen(uow, topic, at)


async def record_allocation(
    uow: ReportingUnitOfWork,
    allocation_id: UUID,
    *,
    country: str,
    fiscal_year: int,
    amount: Decimal,
    topic: str,
    at: datetime,
) -> None:
    await uow.allocations.set(allocation_id, country=country, fiscal_year=fiscal_year,
                              amount=amount)  # fmt: skip
    await seen(uow, topic, at)


async def open_case(
    uow: ReportingUnitOfWork,
    case_id: UUID,
    *,
    nomination_id: UUID,
    country: str,
    opened_on: date,
    due_on: date,
    topic: str,
    at: datetime,
) -> None:
    async with uow.aggregates.of_nomination(nomination_id, "cases"):
        await uow.cases.opened(case_id, nomination_id=nomination_id, country=country,
                               opened_on=opened_on, due_on=due_on)  # fmt: skip
    await seen(uow, topic, at)


async def decide_case(
    uow: ReportingUnitOfWork,
    case_id: UUID,
    *,
    nomination_id: UUID,
    country: str,
    outcome: str,
    on: date,
    topic: str,
    at: datetime,
) -> None:
    async with uow.aggregates.of_nomination(nomination_id, "cases"):
        await uow.cases.decided(case_id, nomination_id=nomination_id, country=country,
                                outcome=outcome, on=on)  # fmt: skip
    await seen(uow, topic, at)


async def put_country(uow: ReportingUnitOfWork, country: CountryRef) -> CountryRef:
    """Reference data: a country's name, region and whether the FMTR leaves it out (audited)."""
    before = await uow.countries.get(country.code)
    await uow.countries.put(country)
    uow.audit(
        "country_reference.put",
        "country_reference",
        country.code,
        before=asdict(before) if before else None,
        after=asdict(country),
    )
    await uow.commit()
    return country
