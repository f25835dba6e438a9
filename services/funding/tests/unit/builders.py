"""Builders of funding's fast tier: a test's world (a store and units of work on it), courses
and classes as the catalog announces them, funds set through the use cases (committed).

Dates are fixed: today is 15 January 2027, inside FY2027 (1 October 2026 - 30 September 2027),
so FY2027 funds are available and FY2028 funds are not yet.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from funding.domain.allocation import TrancheSpec
from funding.domain.catalog_facts import ClassState, CourseState
from funding.domain.request import FundingRequest
from funding.service_layer.catalog_facts import record_class, record_course
from funding.service_layer.funds import set_allocation, set_appropriation
from services.funding.tests.unit.fakes import FakeFundingUnitOfWork, FundingStore
from shared.auth.principal import system_actor

TODAY = date(2027, 1, 15)
NOW = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
FY = 2027
ACTOR = system_actor("funding-test")
DEFAULT_TRAVEL = Decimal("2800.00")  # migration 0003: no travel cost of the country's own
TLA_QUARTERS_AND_MESS = Decimal("56.00")  # lodging 30 + meals 15 + incidentals 11, per day


def masl() -> str:
    return f"D{random.randint(0, 999_999):06d}"


def country() -> str:
    return "".join(random.choices("ABCDEFGHIJKLMNOPRSTUVWXYZ", k=3))


@dataclass(frozen=True)
class Course:
    """A course with one class, as the catalog's events describe them (quarters and mess)."""

    masl_id: str
    class_id: uuid.UUID
    fiscal_year: int
    start: date
    end: date
    tuition: Decimal
    dedicated: bool
    category: str
    tuition_fiscal_year: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def cost(self) -> Decimal:
        """The line's cost with the migration's reference data."""
        return self.tuition + DEFAULT_TRAVEL + TLA_QUARTERS_AND_MESS * self.days

    def state(self, version: int = 1) -> CourseState:
        return CourseState(
            self.masl_id,
            "Test course",
            self.category,
            self.dedicated,
            "DLIELC",
            True,
            True,
            True,
            version,
            {self.tuition_fiscal_year: self.tuition},
        )

    def class_state(self, version: int = 1) -> ClassState:
        return ClassState(
            self.class_id,
            self.masl_id,
            self.fiscal_year,
            self.start,
            self.end,
            self.start - timedelta(days=3),
            "open",
            version,
        )

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


def course(
    fiscal_year: int = FY,
    *,
    tuition: str = "10000.00",
    days: int = 10,
    start: date | None = None,
    dedicated: bool = False,
    category: str = "technical",
    tuition_fiscal_year: int | None = None,
) -> Course:
    first = start or date(fiscal_year, 6, 1)
    return Course(
        masl(),
        uuid.uuid4(),
        fiscal_year,
        first,
        first + timedelta(days=days - 1),
        Decimal(tuition),
        dedicated,
        category,
        tuition_fiscal_year or fiscal_year,
    )


class FakeFunding:
    """One test's funding service: a store, units of work on it, builders that commit."""

    def __init__(self) -> None:
        self.store = FundingStore()

    def uow(self, cause_event_id: str | None = None) -> FakeFundingUnitOfWork:
        return FakeFundingUnitOfWork(self.store, ACTOR, cause_event_id)

    async def funded(
        self,
        allocations: dict[str, Decimal],
        *,
        fiscal_year: int = FY,
        tranches: list[TrancheSpec] | None = None,
    ) -> dict[str, uuid.UUID]:
        """An appropriation (one tranche available all year unless given) and the allocations."""
        parts = tranches or [TrancheSpec(Decimal("10000000.00"), date(fiscal_year, 9, 30))]
        amount = sum((t.amount for t in parts), Decimal(0))
        async with self.uow() as uow:
            await set_appropriation(uow, fiscal_year, amount, parts, None)
        ids = {}
        for code, ceiling in allocations.items():
            async with self.uow() as uow:
                ids[code] = (
                    await set_allocation(uow, code, fiscal_year, ceiling, "test allocation")
                ).id
        return ids

    async def known(self, c: Course) -> None:
        """Funding knows the course and its class (their catalog events arrived)."""
        async with self.uow() as uow:
            await record_course(uow, c.state(), TODAY)
        async with self.uow() as uow:
            await record_class(uow, c.class_state(), TODAY)

    def published(self, kind: str) -> list[dict[str, Any]]:
        """The bodies of the committed events of one type (`obligation_recorded`, ...)."""
        return [body for k, body in self.store.published() if k == kind]

    def consistent(self, code: str, fiscal_year: int = FY) -> bool:
        """The allocation's stored balances are the ones its ledger postings derive."""
        return self.store.stored_balances(code, fiscal_year) == self.store.ledger_balances(
            code, fiscal_year
        )
