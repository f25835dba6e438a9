"""Helpers of the nomination integration tests: a `World` that arranges reference data, catalog
facts, candidates and nominations over HTTP, and a `Bus` that produces other services' events."""

from __future__ import annotations

import secrets
import string
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from nomination.adapters.tables import candidate as candidate_table
from nomination.adapters.tables import country as country_table
from nomination.adapters.tables import nomination as nomination_table
from shared.auth.principal import system_actor
from shared.contracts.catalog.v1 import (
    ClassScheduledV1,
    CoursePublishedV1,
    EnglishRequirementV1,
    InstitutionRefV1,
    TuitionRateV1,
)
from shared.contracts.envelope import IntegrationEvent, build_headers, encode_value
from shared.messaging.kafka import physical_topic
from shared.runtime import ServiceRuntime
from tests.helpers.fixtures import TokenFactory, auth
from tests.helpers.kafka import produce

BASE = "/api/v1/nominations"
TODAY = datetime.now(UTC).date()


def passport() -> str:
    return "P" + "".join(secrets.choice(string.digits) for _ in range(9))


GIVEN_NAMES = (
    "Ana Lucía", "María José", "Rosa Elena", "Carmen", "Lucía Isabel", "Sofía", "Valeria",
    "Juan Carlos", "Luis Fernando", "Jorge", "Andrés", "Miguel Ángel", "Diego", "Óscar",
)  # fmt: skip


def birth_date() -> str:
    """A random adult's date of birth, so two candidates of one test are two people."""
    return (date(1975, 1, 1) + timedelta(days=secrets.randbelow(9000))).isoformat()


def random_country() -> str:
    """An ISO3-shaped code from the user-assigned ranges (QAA-QZZ, XAA-XZZ): no real country."""
    return secrets.choice("QX") + "".join(secrets.choice(string.ascii_uppercase) for _ in range(2))


def masl(letter: str = "D") -> str:
    return letter + "".join(secrets.choice(string.digits) for _ in range(6))


class World:
    """Arranges a test's world: countries, courses and classes, candidates, nominations."""

    def __init__(
        self, runtime: ServiceRuntime[Any, Any], client: httpx.AsyncClient, token: TokenFactory
    ):
        self.runtime = runtime
        self.client = client
        self.token = token

    def as_(self, role: str, country: str | None = None) -> dict[str, str]:
        return auth(self.token(role, country=country))

    async def fresh_country(self) -> str:
        """A country code no test of this run has used yet, so sanctions touch nobody else."""
        async with self.runtime.sessions() as session:
            while True:
                iso3 = random_country()
                used = await session.execute(
                    select(candidate_table.c.id).where(candidate_table.c.country == iso3).limit(1)
                )
                known = await session.execute(
                    select(country_table.c.iso3).where(country_table.c.iso3 == iso3)
                )
                if used.first() is None and known.first() is None:
                    return iso3

    async def country(
        self, iso3: str = "GTM", *, sanctioned: bool = False, exempt: list[int] | None = None
    ) -> str:
        async with self.runtime.uow(system_actor("test")) as uow:
            current = await uow.reference.country_record(iso3)
            if current is None or sanctioned or exempt:
                await uow.reference.save_country(
                    {
                        "iso3": iso3,
                        "name": f"Country {iso3}",
                        "sanctioned": sanctioned,
                        "sanctions_reason": None,
                        "ecl_exempt_fiscal_years": exempt or [],
                        "version": 1 if current is None else current.version + 1,
                    },
                    "test",
                )
                await uow.commit()
        return iso3

    def course_event(self, masl_id: str | None = None, **changes: Any) -> CoursePublishedV1:
        values: dict[str, Any] = {
            "masl_id": masl_id or masl(),
            "title": "Squadron Officer School",
            "category": "pme",
            "institution": InstitutionRefV1(
                institution_id=uuid.uuid4(),
                name="Air University",
                location="Maxwell AFB, AL",
                government_quarters=True,
                government_mess=True,
            ),
            "duration_weeks": Decimal("5.0"),
            "english_requirement": EnglishRequirementV1(test="ecl", min_score=80),
            "eimet_certified_on": TODAY - timedelta(days=365),
            "dedicated_international": False,
            "min_class_size": 1,
            "max_class_size": 30,
            "tuition": [TuitionRateV1(fiscal_year=2027, amount=Decimal("12000.00"))],
            "version": 1,
        }
        values.update(changes)
        certified = values["eimet_certified_on"]
        if certified is not None and "eimet_certified_through" not in changes:
            # As the catalog publishes it: five years, through the day before the anniversary.
            day = 28 if (certified.month, certified.day) == (2, 29) else certified.day
            anniversary = certified.replace(year=certified.year + 5, day=day)
            values["eimet_certified_through"] = anniversary - timedelta(days=1)
        return CoursePublishedV1(**values)

    def class_event(self, masl_id: str, **changes: Any) -> ClassScheduledV1:
        start = TODAY + timedelta(days=120)
        values: dict[str, Any] = {
            "class_id": uuid.uuid4(),
            "masl_id": masl_id,
            "fiscal_year": fiscal_year_of(start),
            "start_date": start,
            "end_date": start + timedelta(days=35),
            "report_date": start - timedelta(days=3),
            "capacity": 20,
            "status": "open",
            "seats_held": 0,
            "seats_confirmed": 0,
            "version": 1,
        }
        values.update(changes)
        return ClassScheduledV1(**values)

    async def catalog(
        self, course: CoursePublishedV1 | None = None, **class_changes: Any
    ) -> ClassScheduledV1:
        """A course and one of its classes in the read model (as catalog events leave them)."""
        course = course or self.course_event()
        klass = self.class_event(course.masl_id, **class_changes)
        async with self.runtime.uow(system_actor("test")) as uow:
            await uow.reference.upsert_course(course)
            await uow.reference.upsert_class(klass)
            await uow.commit()
        return klass

    def candidate_body(self, country: str = "GTM", **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "family_names": "ZÚÑIGA ROSALES", "given_names": secrets.choice(GIVEN_NAMES),
            "country": country,
            "sex": "F", "date_of_birth": birth_date(), "place_of_birth": "Antigua Guatemala",
            "service": "air_force", "rank": "Capitán", "pay_grade": "O-3",
            "unit_name": f"Escuadrón {uuid.uuid4().hex[:6]}", "position": "Flight commander",
            "passport_number": passport(),
            "english_tests": [{"test": "ecl", "score": 85, "taken_on": str(TODAY - timedelta(20))}],
        }  # fmt: skip
        body.update(changes)
        return body

    async def candidate(self, country: str = "GTM", **changes: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"{BASE}/candidates",
            json=self.candidate_body(country, **changes),
            headers=self.as_("sco", country),
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def draft(
        self, klass: ClassScheduledV1 | None = None, *, country: str = "GTM", **changes: Any
    ) -> dict[str, Any]:
        if changes.pop("register_country", True):
            await self.country(country)
        klass = klass or await self.catalog()
        candidate_changes = changes.pop("candidate", {})
        candidate = await self.candidate(country, **candidate_changes)
        body = {
            "candidate_id": candidate["id"], "class_id": str(klass.class_id),
            "fiscal_year": klass.fiscal_year, "funding_source": "imet",
            "medical_clearance": {"recorded_on": TODAY.isoformat(), "reference": "MED-1"},
            "security_screening": {"recorded_on": TODAY.isoformat(), "reference": "SEC-1"},
        }  # fmt: skip
        body.update(changes)
        response = await self.client.post(BASE, json=body, headers=self.as_("sco", country))
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def submitted(
        self, klass: ClassScheduledV1 | None = None, **changes: Any
    ) -> dict[str, Any]:
        draft = await self.draft(klass, **changes)
        country = draft["country"]
        response = await self.client.post(
            f"{BASE}/{draft['id']}/submit", headers=self.as_("sco", country)
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def get(self, nomination_id: Any, country: str = "GTM") -> dict[str, Any]:
        response = await self.client.get(
            f"{BASE}/{nomination_id}", headers=self.as_("sco", country)
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def history(self, nomination_id: Any, country: str = "GTM") -> list[dict[str, Any]]:
        response = await self.client.get(
            f"{BASE}/{nomination_id}/history", headers=self.as_("sco", country)
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def outbox(self, nomination_id: Any) -> list[Any]:
        tables = self.runtime.definition.tables
        async with self.runtime.sessions() as session:
            rows = await session.execute(
                select(tables.outbox)
                .where(tables.outbox.c.aggregateid == str(nomination_id))
                .order_by(tables.outbox.c.seq)
            )
            return list(rows)

    async def published_types(self, nomination_id: Any) -> list[str]:
        return [row.type.split(".")[2] for row in await self.outbox(nomination_id)]


def fiscal_year_of(day: date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


class Bus:
    """Produces other services' events onto this worker's topics, as those services would."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    async def send(self, *events: IntegrationEvent, event_id: str | None = None) -> list[str]:
        ids = []
        for event in events:
            eid = event_id or str(uuid.uuid4())
            headers = build_headers(
                event_id=eid,
                event_type=event.TYPE,
                source="/imet/test",
                subject=event.aggregate_id(),
                time=datetime.now(UTC),
            )
            record = (
                event.aggregate_id().encode(),
                encode_value(event.body()),
                [(k, v.encode()) for k, v in headers.items()],
            )
            await produce(physical_topic(event.TOPIC, self.prefix), [record])
            ids.append(eid)
        return ids


async def status_of(runtime: ServiceRuntime[Any, Any], nomination_id: Any) -> Any:
    async with runtime.sessions() as session:
        return (
            await session.execute(
                select(nomination_table).where(
                    nomination_table.c.id == uuid.UUID(str(nomination_id))
                )
            )
        ).one()


Until = Callable[..., Awaitable[Any]]


async def inbox_has(runtime: ServiceRuntime[Any, Any], event_id: str) -> bool:
    inbox = runtime.definition.tables.inbox
    async with runtime.sessions() as session:
        found = await session.execute(
            select(inbox.c.message_id).where(inbox.c.message_id == event_id)
        )
        return found.first() is not None
