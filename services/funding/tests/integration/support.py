"""Helpers of the funding integration tests: unique fiscal years, catalog facts, events.

Every test works in fiscal years no other test uses (the database lives for the whole run), so
appropriations and allocations never collide: `next_fiscal_year()` hands out future years whose
funds are available, `next_expired_fiscal_year()` past years whose funds have expired.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from funding.domain.allocation import TrancheSpec
from funding.domain.catalog_facts import ClassState, CourseState
from funding.domain.request import FundingRequest
from funding.seed import COUNTRIES
from funding.service_layer.availability import advance_availability
from funding.service_layer.catalog_facts import record_class, record_course
from funding.service_layer.funds import set_allocation, set_appropriation
from shared.auth.principal import system_actor
from shared.contracts.catalog.v1 import (
    ClassScheduledV1,
    CoursePublishedV1,
    InstitutionRefV1,
    TuitionRateV1,
)
from shared.contracts.envelope import IntegrationEvent, build_headers, encode_value
from shared.messaging.kafka import physical_topic
from tests.helpers.kafka import produce

ACTOR = system_actor("funding-test")
ALWAYS = date(1990, 1, 1)
_FUTURE = random.sample(range(2030, 2091), k=61)
_PAST = random.sample(range(1991, 2020), k=29)


def next_fiscal_year() -> int:
    return _FUTURE.pop()


def next_expired_fiscal_year() -> int:
    return _PAST.pop()


def masl() -> str:
    return f"D{random.randint(0, 999_999):06d}"


def country() -> str:
    """A random country code; never a demo country (they have travel costs) nor a Q.. code
    (reserved for tests that change reference data), so the default travel cost applies."""
    while True:
        code = "".join(random.choices("ABCDEFGHIJKLMNOPRSTUVWXYZ", k=3))
        if code not in COUNTRIES:
            return code


@dataclass(frozen=True)
class Course:
    masl_id: str
    class_id: uuid.UUID
    fiscal_year: int
    start: date
    end: date
    tuition: Decimal
    dedicated: bool
    category: str
    tuition_fiscal_year: int | None = None

    def request(self, country_code: str, **changes: Any) -> FundingRequest:
        values: dict[str, Any] = {
            "request_id": uuid.uuid4(),
            "nomination_id": uuid.uuid4(),
            "country": country_code,
            "fiscal_year": self.fiscal_year,
            "class_id": self.class_id,
            "masl_id": self.masl_id,
            "funding_source": "imet",
            "with_dependents": False,
        }
        return FundingRequest(**(values | changes))

    def course_event(self, version: int = 1) -> CoursePublishedV1:
        return CoursePublishedV1(
            masl_id=self.masl_id,
            title="Test course",
            category=self.category,  # type: ignore[arg-type]
            institution=InstitutionRefV1(
                institution_id=uuid.uuid4(),
                name="DLIELC",
                location="Lackland AFB",
                government_quarters=True,
                government_mess=True,
            ),
            duration_weeks=Decimal("8.0"),
            english_requirement=None,
            eimet_certified_on=None,
            dedicated_international=self.dedicated,
            min_class_size=1,
            max_class_size=30,
            tuition=[
                TuitionRateV1(
                    fiscal_year=self.tuition_fiscal_year or self.fiscal_year, amount=self.tuition
                )
            ],
            version=version,
        )

    def class_event(self, version: int = 1) -> ClassScheduledV1:
        return ClassScheduledV1(
            class_id=self.class_id,
            masl_id=self.masl_id,
            fiscal_year=self.fiscal_year,
            start_date=self.start,
            end_date=self.end,
            report_date=self.start - timedelta(days=3),
            capacity=30,
            status="open",
            seats_held=0,
            seats_confirmed=0,
            version=version,
        )


def course(
    fiscal_year: int,
    *,
    tuition: str = "10000.00",
    days: int = 10,
    dedicated: bool = False,
    category: str = "technical",
    tuition_fiscal_year: int | None = None,
) -> Course:
    start = date(fiscal_year, 3, 2)
    end = start + timedelta(days=days - 1)
    return Course(
        masl(),
        uuid.uuid4(),
        fiscal_year,
        start,
        end,
        Decimal(tuition),
        dedicated,
        category,
        tuition_fiscal_year,
    )


# Default reference data: travel 2800 (no country cost), TLA quarters+mess 30 + 15, incidentals 11.
def line_cost(c: Course) -> Decimal:
    return c.tuition + Decimal("2800.00") + Decimal(56) * ((c.end - c.start).days + 1)


async def known(runtime: Any, c: Course) -> None:
    """Funding knows the course and the class (as if their catalog events had arrived)."""
    today = datetime.now(UTC).date()
    e, k = c.course_event(), c.class_event()
    async with runtime.uow(ACTOR) as uow:
        await record_course(
            uow,
            CourseState(
                e.masl_id,
                e.title,
                e.category,
                e.dedicated_international,
                e.institution.name,
                e.institution.government_quarters,
                e.institution.government_mess,
                True,
                e.version,
                {t.fiscal_year: t.amount for t in e.tuition},
            ),
            today,
        )
    async with runtime.uow(ACTOR) as uow:
        await record_class(
            uow,
            ClassState(
                k.class_id,
                k.masl_id,
                k.fiscal_year,
                k.start_date,
                k.end_date,
                k.report_date,
                k.status,
                k.version,
            ),
            today,
        )


async def funded(
    runtime: Any,
    fiscal_year: int,
    allocations: dict[str, Decimal],
    *,
    amount: Decimal = Decimal("10000000.00"),
    until: date | None = None,
    advance_from: date | None = ALWAYS,
) -> dict[str, uuid.UUID]:
    """An appropriation for the fiscal year and the given country allocations; their ids.

    Test fiscal years lie in the future (one per test): their funds are made available for
    obligation from `advance_from` the way a funding officer records advance availability
    (ADR 0061). `advance_from=None`: available from the fiscal year's first day only."""
    async with runtime.uow(ACTOR) as uow:
        await set_appropriation(
            uow, fiscal_year, amount, [TrancheSpec(amount, until or date(fiscal_year, 9, 30))], None
        )
    if advance_from is not None:
        async with runtime.uow(ACTOR) as uow:
            await advance_availability(
                uow, fiscal_year, advance_from, "test funds", lambda _: None, date.today()
            )
    ids = {}
    for code, ceiling in allocations.items():
        async with runtime.uow(ACTOR) as uow:
            ids[code] = (
                await set_allocation(uow, code, fiscal_year, ceiling, "test allocation")
            ).id
    return ids


Record = tuple[bytes, bytes, list[tuple[str, bytes]]]


def record(event: IntegrationEvent, *, event_id: str | None = None) -> Record:
    headers = build_headers(
        event_id=event_id or str(uuid.uuid4()),
        event_type=event.TYPE,
        source="/imet/test",
        subject=event.aggregate_id(),
        time=datetime.now(UTC),
    )
    return (
        event.aggregate_id().encode(),
        encode_value(event.body()),
        [(k, v.encode()) for k, v in headers.items()],
    )


async def send(prefix: str, *records: tuple[IntegrationEvent, Record]) -> None:
    """Produce records in order, each on its event's topic."""
    for event, rec in records:
        await produce(physical_topic(event.TOPIC, prefix), [rec])


def as_records(*events: IntegrationEvent) -> list[tuple[IntegrationEvent, Record]]:
    return [(e, record(e)) for e in events]


Predicate = Callable[[Any], bool]
