"""A nomination world in memory for the fast tier: reference data, catalog facts, candidates
and nominations arranged through the use cases themselves (as the integration `World` does over
HTTP), and the reactions delivered as the consumer does."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from nomination.bootstrap import definition
from nomination.domain.nomination import Nomination
from nomination.domain.rules import Rules
from nomination.service_layer import nominations
from nomination.service_layer.candidates import create_candidate
from nomination.service_layer.config import Config
from services.nomination.tests.unit.fakes import MemoryNominationUnitOfWork, NominationStore
from shared.auth.principal import Principal, Role, system_actor
from shared.contracts.catalog.v1 import (
    ClassScheduledV1,
    CoursePublishedV1,
    EnglishRequirementV1,
    InstitutionRefV1,
    TuitionRateV1,
)
from shared.contracts.envelope import Envelope, IntegrationEvent
from shared.runtime import Reaction

#: The fast tier's pinned clock: every fake unit of work's `clock` (a test may move `fake.now`).
NOW = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)
TODAY = NOW.date()
CONFIG = Config(fingerprint_key=b"fast-tier-key", rules=Rules())
Reactions = Mapping[type[IntegrationEvent], Reaction]


def sco(country: str = "GTM") -> Principal:
    return Principal(subject=f"sco-{country.lower()}", roles=frozenset({Role.SCO}), country=country)


def admin() -> Principal:
    return Principal(subject="admin", roles=frozenset({Role.ADMIN}))


def fiscal_year_of(day: date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


def course_event(**changes: Any) -> CoursePublishedV1:
    certified = TODAY - timedelta(days=365)
    values: dict[str, Any] = {
        "masl_id": "D" + uuid.uuid4().hex[:6].translate(str.maketrans("abcdef", "123456")),
        "title": "Squadron Officer School", "category": "pme",
        "institution": InstitutionRefV1(
            institution_id=uuid.uuid4(), name="Air University", location="Maxwell AFB, AL",
            government_quarters=True, government_mess=True,
        ),
        "duration_weeks": Decimal("5.0"),
        "english_requirement": EnglishRequirementV1(test="ecl", min_score=80),
        "eimet_certified_on": certified,
        "eimet_certified_through": certified.replace(year=certified.year + 5) - timedelta(days=1),
        "dedicated_international": False, "min_class_size": 1, "max_class_size": 30,
        "tuition": [TuitionRateV1(fiscal_year=2027, amount=Decimal("12000.00"))], "version": 1,
    }  # fmt: skip
    values.update(changes)
    return CoursePublishedV1(**values)


def class_event(masl_id: str, **changes: Any) -> ClassScheduledV1:
    start = TODAY + timedelta(days=120)
    values: dict[str, Any] = {
        "class_id": uuid.uuid4(), "masl_id": masl_id, "fiscal_year": fiscal_year_of(start),
        "start_date": start, "end_date": start + timedelta(days=35),
        "report_date": start - timedelta(days=3), "capacity": 20, "status": "open",
        "seats_held": 0, "seats_confirmed": 0, "version": 1,
    }  # fmt: skip
    values.update(changes)
    return ClassScheduledV1(**values)


def candidate_values(country: str = "GTM", **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "family_names": "ZÚÑIGA ROSALES", "given_names": "Ana Lucía", "country": country,
        "sex": "F", "date_of_birth": date(1990, 5, 17), "place_of_birth": "Antigua Guatemala",
        "service": "air_force", "rank": "Capitán", "pay_grade": "O-3",
        "unit_name": f"Escuadrón {uuid.uuid4().hex[:6]}", "position": "Flight commander",
        "passport_number": "P" + uuid.uuid4().hex[:9],
        "english_tests": [{"test": "ecl", "score": 85, "taken_on": str(TODAY - timedelta(20))}],
    }  # fmt: skip
    values.update(changes)
    return values


class FakeNomination:
    """One test's store, and units of work on it."""

    def __init__(self) -> None:
        self.store = NominationStore()
        self.published: list[IntegrationEvent] = []
        self.audits: list[Any] = []
        self.now = NOW  # what the units of work's clock says

    def uow(
        self, actor: Principal | None = None, cause_event_id: str | None = None
    ) -> MemoryNominationUnitOfWork:
        uow = MemoryNominationUnitOfWork(
            self.store, actor or system_actor("test"), cause_event_id, clock=lambda: self.now
        )
        uow.committed_events = self.published
        uow.committed_audits = self.audits
        return uow

    def types(self, nomination_id: uuid.UUID | None = None) -> list[str]:
        return [
            e.TYPE.split(".")[2]
            for e in self.published
            if nomination_id is None or getattr(e, "nomination_id", None) == nomination_id
        ]

    async def country(self, iso3: str = "GTM") -> str:
        async with self.uow() as uow:
            await uow.reference.save_country(
                {"iso3": iso3, "name": f"Country {iso3}", "sanctioned": False,
                 "sanctions_reason": None, "ecl_exempt_fiscal_years": [], "version": 1},
                "test",
            )  # fmt: skip
            await uow.commit()
        return iso3

    async def catalog(self, **class_changes: Any) -> ClassScheduledV1:
        course = course_event()
        klass = class_event(course.masl_id, **class_changes)
        async with self.uow() as uow:
            await uow.reference.upsert_course(course)
            await uow.reference.upsert_class(klass)
            await uow.commit()
        return klass

    async def draft(self, country: str = "GTM", **candidate: Any) -> Nomination:
        await self.country(country)
        klass = await self.catalog()
        async with self.uow(sco(country)) as uow:
            person = await create_candidate(
                uow, sco(country), candidate_values(country, **candidate), CONFIG.fingerprint_key
            )
        async with self.uow(sco(country)) as uow:
            return await nominations.create_nomination(
                uow, sco(country),
                {"candidate_id": person.id, "class_id": klass.class_id,
                 "fiscal_year": klass.fiscal_year, "funding_source": "imet",
                 "medical_cleared_on": TODAY, "medical_reference": "MED-1",
                 "security_screened_on": TODAY, "security_reference": "SEC-1"},
            )  # fmt: skip

    async def submitted(self, country: str = "GTM") -> Nomination:
        draft = await self.draft(country)
        async with self.uow(sco(country)) as uow:
            return await nominations.submit_nomination(uow, sco(country), draft.id, CONFIG, TODAY)

    async def get(self, nomination_id: uuid.UUID) -> Nomination:
        return self.store.nominations[nomination_id]


@pytest.fixture
def reactions(monkeypatch: pytest.MonkeyPatch) -> Reactions:
    """The reactions as the consumer binds them (`definition.reactions()`)."""
    monkeypatch.setenv("NOMINATION_DATABASE_URL", "postgresql+asyncpg://fast-tier/unused")
    return dict(definition.reactions())


async def deliver(reactions: Reactions, fake: FakeNomination, event: IntegrationEvent) -> str:
    """What the consumer does with one record; returns the envelope's id."""
    envelope = Envelope(
        id=str(uuid.uuid4()), type=event.TYPE, source="/imet/test", time=datetime.now(UTC),
        subject=event.aggregate_id(), data=event.body(),
    )  # fmt: skip
    async with fake.uow(cause_event_id=envelope.id) as uow:
        await reactions[type(event)](envelope.parse(type(event)), envelope, uow)
        await uow.commit()  # the consumer commits the batch the reaction staged
    return envelope.id
